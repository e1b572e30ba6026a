CREATE TABLE `notification_subscriptions` (
	`project_id` text NOT NULL,
	`user_id` text NOT NULL,
	`type` text NOT NULL,
	PRIMARY KEY(`project_id`, `user_id`, `type`)
);
--> statement-breakpoint
ALTER TABLE `events` ADD `request_ip` text GENERATED ALWAYS AS (data ->> '$.request.ip') VIRTUAL;--> statement-breakpoint
CREATE INDEX `events_request_ip` ON `events` (`project_id`,`request_ip`,`occurred_at`);--> statement-breakpoint
ALTER TABLE `notifications` ADD `emailed_at` integer;--> statement-breakpoint
CREATE INDEX `notifications_unemailed` ON `notifications` (`emailed_at`,`created_at`);