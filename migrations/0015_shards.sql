CREATE TABLE `placements` (
	`project_id` text PRIMARY KEY NOT NULL,
	`shard` text NOT NULL,
	`pn` integer NOT NULL,
	`target_shard` text,
	`target_pn` integer,
	`move_task_id` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `placements_shard` ON `placements` (`shard`);--> statement-breakpoint
CREATE TABLE `shards` (
	`binding` text PRIMARY KEY NOT NULL,
	`region` text NOT NULL,
	`state` text DEFAULT 'open' NOT NULL,
	`size_bytes` integer DEFAULT 0 NOT NULL,
	`measured_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `projects` ADD `region` text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `operator` integer DEFAULT false NOT NULL;