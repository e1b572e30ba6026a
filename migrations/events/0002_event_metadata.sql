-- Metadata filters (README "Filters", `metadata.<key>:value`): one row per top-level scalar value
-- of an event's metadata (text of at most 200 characters, a number as written, true or false), keyed
-- like event_changes so `metadata.program:"Summer referral"` is a range of the primary key in time
-- order. Keys are terms (facet 10, written by ingest with the other terms; keys of letters, digits,
-- `_` and `-` only); values are kept as text, since amounts, addresses and ids would flood the
-- dictionary shared by the shard's projects.
CREATE TABLE `event_metadata` (
	`pn` integer NOT NULL,
	`key` integer NOT NULL,
	`value` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`seq` integer NOT NULL,
	PRIMARY KEY (`pn`, `key`, `value`, `occurred_at`, `seq`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `event_metadata_seq` ON `event_metadata` (`seq`);
--> statement-breakpoint
CREATE TRIGGER `events_metadata_insert` AFTER INSERT ON `events` WHEN NEW.`data` ->> '$.metadata' IS NOT NULL BEGIN INSERT OR IGNORE INTO `event_metadata` (`pn`, `key`, `value`, `occurred_at`, `seq`) SELECT NEW.`pn`, `t`.`id`, CASE WHEN `j`.`type` = 'text' THEN `j`.`value` ELSE NEW.`data` -> `j`.`fullkey` END, NEW.`occurred_at`, NEW.`seq` FROM json_each(NEW.`data`, '$.metadata') AS `j` JOIN `terms` AS `t` ON `t`.`facet` = 10 AND `t`.`value` = `j`.`key` WHERE `j`.`type` IN ('text', 'integer', 'real', 'true', 'false') AND length(`j`.`value`) <= 200; END;
--> statement-breakpoint
CREATE TRIGGER `events_metadata_delete` AFTER DELETE ON `events` BEGIN DELETE FROM `event_metadata` WHERE `seq` = OLD.`seq`; END;
--> statement-breakpoint
CREATE TRIGGER `event_metadata_no_update` BEFORE UPDATE ON `event_metadata` BEGIN SELECT RAISE(ABORT, 'event_metadata is append-only'); END;
--> statement-breakpoint
-- Events stored before this migration have no metadata rows: the cron fills them in, newest
-- first, in chunks below `below` (src/services/shards/metadata-backfill.ts), then deletes the row.
CREATE TABLE `metadata_backfill` (
	`id` integer PRIMARY KEY NOT NULL CHECK (`id` = 1),
	`below` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `metadata_backfill` (`id`, `below`) SELECT 1, `m` + 1 FROM (SELECT max(`seq`) AS `m` FROM `events`) WHERE `m` IS NOT NULL;
