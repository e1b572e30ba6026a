CREATE TABLE `epochs` (
	`project_id` text NOT NULL,
	`epoch` integer NOT NULL,
	`first_window_start` integer NOT NULL,
	`window_end` integer NOT NULL,
	`digest_count` integer NOT NULL,
	`root` text NOT NULL,
	`previous_hash` text NOT NULL,
	`hash` text NOT NULL,
	`signature` text NOT NULL,
	`key_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`published_at` integer,
	PRIMARY KEY(`project_id`, `epoch`)
);
--> statement-breakpoint
CREATE INDEX `epochs_project_end` ON `epochs` (`project_id`,`window_end`);--> statement-breakpoint
ALTER TABLE `api_keys` ADD `public_key` text;--> statement-breakpoint
ALTER TABLE `digests` ADD `published_at` integer;--> statement-breakpoint
CREATE INDEX `digests_unpublished` ON `digests` (`project_id`,`window_start`) WHERE published_at IS NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `publish_digests` integer DEFAULT false NOT NULL;