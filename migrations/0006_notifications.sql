CREATE TABLE `notification_archives` (
	`notification_id` text NOT NULL,
	`user_id` text NOT NULL,
	`archived_at` integer NOT NULL,
	PRIMARY KEY(`notification_id`, `user_id`)
);
--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`user_id` text,
	`type` text NOT NULL,
	`title` text NOT NULL,
	`body` text,
	`link` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `notifications_project` ON `notifications` (`project_id`,`created_at`);