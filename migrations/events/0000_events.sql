-- An event shard: the events of the projects placed on it, and everything written in the same
-- batch as an event. README "Storage" explains the layout; src/db/shard/schema.ts declares it for
-- drizzle (this file is written by hand: WITHOUT ROWID tables, FTS5 and triggers).

-- The shard's own directory of projects: `pn` is the small number every row and index carries
-- instead of the 30-character project id. `frozen` is set by the last step of a move: every write
-- batch starts with the write guard below, so from then on the project's writes here fail whole.
CREATE TABLE `shard_projects` (
	`pn` integer PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`frozen` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `shard_projects_project_id` ON `shard_projects` (`project_id`);
--> statement-breakpoint
-- A write batch's first statement inserts a row here when its project is frozen; the CHECK refuses
-- it, and D1 rolls the whole batch back. Never holds a row.
CREATE TABLE `write_guard` (`frozen` integer CHECK (`frozen` IS NULL));
--> statement-breakpoint
-- Dictionary of the low-cardinality values events are filtered by (facets: 1 category, 2 type,
-- 3 status, 4 source, 6 actor type, 7 entity type, 8 organisation, 9 changed field). Shared by the
-- shard's projects; events and their indexes carry the small integer.
CREATE TABLE `terms` (
	`id` integer PRIMARY KEY NOT NULL,
	`facet` integer NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `terms_facet_value` ON `terms` (`facet`, `value`);
--> statement-breakpoint
-- Actors as they appear on events ('' where a part is missing), found by id, e-mail or name.
CREATE TABLE `actors` (
	`id` integer PRIMARY KEY NOT NULL,
	`actor_id` text NOT NULL,
	`name` text NOT NULL,
	`email` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `actors_identity` ON `actors` (`actor_id`, `name`, `email`);
--> statement-breakpoint
CREATE INDEX `actors_email` ON `actors` (`email`);
--> statement-breakpoint
CREATE INDEX `actors_name` ON `actors` (`name`);
--> statement-breakpoint
-- The log. `data` is the event exactly as hashed (canonical JSON after redaction); the integer
-- columns are its filter values as terms; id and the other high-cardinality filters are virtual
-- columns read from `data`, so they take no room in the row, only in their index. `seq` is the
-- order rows were stored in and never reused (AUTOINCREMENT), so a move copying by seq, or a
-- reader following it, never misses a row stored after a deleted one.
CREATE TABLE `events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`pn` integer NOT NULL,
	`occurred_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`category` integer NOT NULL,
	`type` integer NOT NULL,
	`status` integer,
	`source` integer,
	`actor` integer,
	`actor_type` integer,
	`entity_type` integer,
	`organization` integer,
	`hash` blob NOT NULL,
	`data` text NOT NULL,
	`id` text GENERATED ALWAYS AS (`data` ->> '$.id') VIRTUAL,
	`entity_id` text GENERATED ALWAYS AS (`data` ->> '$.entity.id') VIRTUAL,
	`request_id` text GENERATED ALWAYS AS (`data` ->> '$.request.id') VIRTUAL,
	`job_id` text GENERATED ALWAYS AS (`data` ->> '$.job_id') VIRTUAL,
	`request_ip` text GENERATED ALWAYS AS (`data` ->> '$.request.ip') VIRTUAL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_id` ON `events` (`pn`, `id`);
--> statement-breakpoint
CREATE INDEX `events_time` ON `events` (`pn`, `occurred_at`);
--> statement-breakpoint
CREATE INDEX `events_received` ON `events` (`pn`, `received_at`);
--> statement-breakpoint
CREATE INDEX `events_category` ON `events` (`pn`, `category`, `occurred_at`);
--> statement-breakpoint
CREATE INDEX `events_type` ON `events` (`pn`, `type`, `occurred_at`);
--> statement-breakpoint
CREATE INDEX `events_status` ON `events` (`pn`, `status`, `occurred_at`) WHERE `status` IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `events_source` ON `events` (`pn`, `source`, `occurred_at`) WHERE `source` IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `events_actor` ON `events` (`pn`, `actor`, `occurred_at`) WHERE `actor` IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `events_actor_type` ON `events` (`pn`, `actor_type`, `occurred_at`) WHERE `actor_type` IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `events_entity_type` ON `events` (`pn`, `entity_type`, `occurred_at`) WHERE `entity_type` IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `events_organization` ON `events` (`pn`, `organization`, `occurred_at`) WHERE `organization` IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `events_entity_id` ON `events` (`pn`, `entity_id`, `occurred_at`) WHERE `entity_id` IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `events_request` ON `events` (`pn`, `request_id`, `occurred_at`) WHERE `request_id` IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `events_job` ON `events` (`pn`, `job_id`, `occurred_at`) WHERE `job_id` IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `events_request_ip` ON `events` (`pn`, `request_ip`, `occurred_at`) WHERE `request_ip` IS NOT NULL;
--> statement-breakpoint
-- One row per changed field of an event (`changed=status`); `commission.status` is the same rows
-- joined with the event's entity type.
CREATE TABLE `event_changes` (
	`pn` integer NOT NULL,
	`field` integer NOT NULL,
	`occurred_at` integer NOT NULL,
	`seq` integer NOT NULL,
	PRIMARY KEY (`pn`, `field`, `occurred_at`, `seq`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `event_changes_seq` ON `event_changes` (`seq`);
--> statement-breakpoint
-- Events per project and UTC day of occurred_at (day 0 also holds times before 1970), added to in
-- the same batch as the events and taken from by the delete trigger.
CREATE TABLE `event_counts` (
	`pn` integer NOT NULL,
	`day` integer NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY (`pn`, `day`)
) WITHOUT ROWID;
--> statement-breakpoint
-- The values seen per project (organization 0) and per organisation of a project, for the
-- explorer's pickers: a term id, or an actor id for facet 5.
CREATE TABLE `event_facets` (
	`pn` integer NOT NULL,
	`organization` integer NOT NULL,
	`facet` integer NOT NULL,
	`value` integer NOT NULL,
	PRIMARY KEY (`pn`, `organization`, `facet`, `value`)
) WITHOUT ROWID;
--> statement-breakpoint
-- Webhook deliveries owed for stored events, written in the same batch as the events; moved into
-- the control database's webhook_sendouts right after the batch (and by the cron after a crash).
CREATE TABLE `webhook_outbox` (
	`id` integer PRIMARY KEY NOT NULL,
	`pn` integer NOT NULL,
	`endpoint_id` text NOT NULL,
	`event_id` text NOT NULL,
	`event_type` text NOT NULL,
	`request_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
-- While a retention run or a move deletes a project's events it holds a row here (in the same
-- batch); the delete trigger refuses any event delete not covered by one.
CREATE TABLE `delete_cutoffs` (
	`pn` integer PRIMARY KEY NOT NULL,
	`cutoff` integer NOT NULL
);
--> statement-breakpoint
-- Full text: every word of the searchable fields in `body`; `bucket` holds the project's time
-- buckets (h<pn>x<hour>, d<pn>x<day>, m<pn>x<32 days>, y<pn>x<1024 days>), so a search is always
-- limited to one project and, when it can be, to a time span.
CREATE VIRTUAL TABLE `events_fts` USING fts5(`body`, `bucket`, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE VIRTUAL TABLE `events_fts_terms` USING fts5vocab(`events_fts`, 'instance');
--> statement-breakpoint
CREATE TRIGGER `events_fts_insert` AFTER INSERT ON `events` BEGIN INSERT INTO `events_fts` (rowid, `body`, `bucket`) VALUES (NEW.`seq`, concat_ws(' ', NEW.`data` ->> '$.id', NEW.`data` ->> '$.type', NEW.`data` ->> '$.summary', NEW.`data` ->> '$.message', NEW.`data` ->> '$.request.id', NEW.`data` ->> '$.job_id', NEW.`data` ->> '$.actor.id', NEW.`data` ->> '$.actor.name', NEW.`data` ->> '$.actor.email', NEW.`data` ->> '$.entity.type', NEW.`data` ->> '$.entity.id', NEW.`data` ->> '$.entity.name', NEW.`data` ->> '$.organization_id', NEW.`data` ->> '$.targets', NEW.`data` ->> '$.changes'), concat_ws(' ', 'h' || NEW.`pn` || 'x' || (max(NEW.`occurred_at`, 0) / 3600000), 'd' || NEW.`pn` || 'x' || (max(NEW.`occurred_at`, 0) / 86400000), 'm' || NEW.`pn` || 'x' || (max(NEW.`occurred_at`, 0) / 2764800000), 'y' || NEW.`pn` || 'x' || (max(NEW.`occurred_at`, 0) / 88473600000))); END;
--> statement-breakpoint
CREATE TRIGGER `events_changes_insert` AFTER INSERT ON `events` WHEN NEW.`data` ->> '$.changes' IS NOT NULL BEGIN INSERT OR IGNORE INTO `event_changes` (`pn`, `field`, `occurred_at`, `seq`) SELECT NEW.`pn`, `t`.`id`, NEW.`occurred_at`, NEW.`seq` FROM json_each(NEW.`data`, '$.changes') AS `j` JOIN `terms` AS `t` ON `t`.`facet` = 9 AND `t`.`value` = `j`.`key`; END;
--> statement-breakpoint
CREATE TRIGGER `events_no_update` BEFORE UPDATE ON `events` BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `events_delete_only_by_cutoff` BEFORE DELETE ON `events` WHEN NOT EXISTS (SELECT 1 FROM `delete_cutoffs` WHERE `pn` = OLD.`pn` AND OLD.`occurred_at` < `cutoff`) BEGIN SELECT RAISE(ABORT, 'events can only be deleted by retention or a move'); END;
--> statement-breakpoint
CREATE TRIGGER `events_fts_delete` AFTER DELETE ON `events` BEGIN DELETE FROM `events_fts` WHERE rowid = OLD.`seq`; END;
--> statement-breakpoint
CREATE TRIGGER `events_changes_delete` AFTER DELETE ON `events` BEGIN DELETE FROM `event_changes` WHERE `seq` = OLD.`seq`; END;
--> statement-breakpoint
CREATE TRIGGER `event_counts_delete` AFTER DELETE ON `events` BEGIN UPDATE `event_counts` SET `n` = `n` - 1 WHERE `pn` = OLD.`pn` AND `day` = max(OLD.`occurred_at`, 0) / 86400000; END;
--> statement-breakpoint
CREATE TRIGGER `event_changes_no_update` BEFORE UPDATE ON `event_changes` BEGIN SELECT RAISE(ABORT, 'event_changes are append-only'); END;
