CREATE TABLE `archives` (
	`project_id` text NOT NULL,
	`file_key` text NOT NULL,
	`day` text NOT NULL,
	`event_count` integer NOT NULL,
	`bytes` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `file_key`)
);
--> statement-breakpoint
CREATE INDEX `archives_project_day` ON `archives` (`project_id`,`day`);--> statement-breakpoint
CREATE TABLE `digests` (
	`project_id` text NOT NULL,
	`window_start` integer NOT NULL,
	`window_end` integer NOT NULL,
	`event_count` integer NOT NULL,
	`root` text NOT NULL,
	`previous_hash` text NOT NULL,
	`hash` text NOT NULL,
	`signature` text NOT NULL,
	`key_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `window_start`)
);
--> statement-breakpoint
CREATE INDEX `digests_project_end` ON `digests` (`project_id`,`window_end`);--> statement-breakpoint
ALTER TABLE `projects` ADD `archive_enabled` integer DEFAULT false NOT NULL;