-- Full text gains a `bucket` column: tokens naming the hour, day, 32 days and 1,024 days (from the
-- epoch, UTC) of each event's occurred_at. A list that reads the newest rows asks FTS5 only for the
-- matches in their time span (src/services/events/query.ts, bucketTokens, mirrors these sizes), so
-- a word found in a quarter of a million events costs the matches of a day, not of all of them.
-- User terms are limited to the `body` column, so no search text can match a bucket token.
DROP TRIGGER `events_fts_insert`;
--> statement-breakpoint
DROP TRIGGER `events_fts_delete`;
--> statement-breakpoint
DROP TABLE `events_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `events_fts` USING fts5(`body`, `bucket`, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
INSERT INTO `events_fts` (rowid, `body`, `bucket`) SELECT `seq`, concat_ws(' ', `id`, `type`, `data` ->> '$.summary', `data` ->> '$.message', `request_id`, `job_id`, `actor_id`, `actor_name`, `actor_email`, `entity_type`, `entity_id`, `data` ->> '$.entity.name', `organization_id`, `data` ->> '$.targets', `data` ->> '$.changes'), concat_ws(' ', 'h' || (max(`occurred_at`, 0) / 3600000), 'd' || (max(`occurred_at`, 0) / 86400000), 'm' || (max(`occurred_at`, 0) / 2764800000), 'y' || (max(`occurred_at`, 0) / 88473600000)) FROM `events`;
--> statement-breakpoint
CREATE TRIGGER `events_fts_insert` AFTER INSERT ON `events` BEGIN INSERT INTO `events_fts` (rowid, `body`, `bucket`) VALUES (NEW.`seq`, concat_ws(' ', NEW.`id`, NEW.`type`, NEW.`data` ->> '$.summary', NEW.`data` ->> '$.message', NEW.`request_id`, NEW.`job_id`, NEW.`actor_id`, NEW.`actor_name`, NEW.`actor_email`, NEW.`entity_type`, NEW.`entity_id`, NEW.`data` ->> '$.entity.name', NEW.`organization_id`, NEW.`data` ->> '$.targets', NEW.`data` ->> '$.changes'), concat_ws(' ', 'h' || (max(NEW.`occurred_at`, 0) / 3600000), 'd' || (max(NEW.`occurred_at`, 0) / 86400000), 'm' || (max(NEW.`occurred_at`, 0) / 2764800000), 'y' || (max(NEW.`occurred_at`, 0) / 88473600000))); END;
--> statement-breakpoint
CREATE TRIGGER `events_fts_delete` AFTER DELETE ON `events` BEGIN DELETE FROM `events_fts` WHERE rowid = OLD.`seq`; END;
