-- Events per project and hour, so a count reads hours instead of rows (src/db/schema/events.ts).
CREATE TABLE `event_counts` (
	`project_id` text NOT NULL,
	`hour` integer NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`project_id`, `hour`)
);
--> statement-breakpoint
-- Times before 1970 share hour 0 (max(…, 0), as the full-text buckets); a count reads hour 0 from events.
CREATE TRIGGER `event_counts_insert` AFTER INSERT ON `events` BEGIN INSERT INTO `event_counts` (`project_id`, `hour`, `n`) VALUES (NEW.`project_id`, max(NEW.`occurred_at`, 0) / 3600000, 1) ON CONFLICT (`project_id`, `hour`) DO UPDATE SET `n` = `n` + 1; END;
--> statement-breakpoint
CREATE TRIGGER `event_counts_delete` AFTER DELETE ON `events` BEGIN UPDATE `event_counts` SET `n` = `n` - 1 WHERE `project_id` = OLD.`project_id` AND `hour` = max(OLD.`occurred_at`, 0) / 3600000; END;
--> statement-breakpoint
-- Hours of the events stored before this migration.
INSERT INTO `event_counts` (`project_id`, `hour`, `n`) SELECT `project_id`, max(`occurred_at`, 0) / 3600000, count(*) FROM `events` GROUP BY 1, 2;
