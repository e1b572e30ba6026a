-- Full-text index for `q` and bare words of the search syntax. Contentless (the text lives in
-- events.data) with contentless_delete so retention can delete rows by rowid.
CREATE VIRTUAL TABLE `events_fts` USING fts5(`body`, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `events_fts_insert` AFTER INSERT ON `events` BEGIN INSERT INTO `events_fts` (rowid, `body`) VALUES (NEW.`seq`, concat_ws(' ', NEW.`id`, NEW.`type`, NEW.`data` ->> '$.summary', NEW.`data` ->> '$.message', NEW.`request_id`, NEW.`job_id`, NEW.`actor_id`, NEW.`actor_name`, NEW.`actor_email`, NEW.`entity_type`, NEW.`entity_id`, NEW.`data` ->> '$.entity.name', NEW.`organization_id`, NEW.`data` ->> '$.targets', NEW.`data` ->> '$.changes')); END;
--> statement-breakpoint
CREATE TRIGGER `events_changes_insert` AFTER INSERT ON `events` BEGIN INSERT OR IGNORE INTO `event_changes` (`project_id`, `field`, `occurred_at`, `event_seq`) SELECT NEW.`project_id`, `key`, NEW.`occurred_at`, NEW.`seq` FROM json_each(NEW.`data`, '$.changes') UNION ALL SELECT NEW.`project_id`, NEW.`entity_type` || '.' || `key`, NEW.`occurred_at`, NEW.`seq` FROM json_each(NEW.`data`, '$.changes') WHERE NEW.`entity_type` IS NOT NULL; END;
--> statement-breakpoint
-- Events are append-only (DESIGN §6).
CREATE TRIGGER `events_no_update` BEFORE UPDATE ON `events` BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `events_delete_only_by_retention` BEFORE DELETE ON `events` WHEN NOT EXISTS (SELECT 1 FROM `retention_cutoffs` WHERE `project_id` = OLD.`project_id` AND OLD.`occurred_at` < `cutoff`) BEGIN SELECT RAISE(ABORT, 'events can only be deleted by retention'); END;
--> statement-breakpoint
CREATE TRIGGER `events_fts_delete` AFTER DELETE ON `events` BEGIN DELETE FROM `events_fts` WHERE rowid = OLD.`seq`; END;
--> statement-breakpoint
CREATE TRIGGER `events_changes_delete` AFTER DELETE ON `events` BEGIN DELETE FROM `event_changes` WHERE `event_seq` = OLD.`seq`; END;
--> statement-breakpoint
CREATE TRIGGER `event_changes_no_update` BEFORE UPDATE ON `event_changes` BEGIN SELECT RAISE(ABORT, 'event_changes are append-only'); END;
