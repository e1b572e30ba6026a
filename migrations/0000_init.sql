CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`scope` text NOT NULL,
	`key_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text,
	`last_used_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_project` ON `api_keys` (`project_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `event_changes` (
	`project_id` text NOT NULL,
	`field` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`event_seq` integer NOT NULL,
	PRIMARY KEY(`project_id`, `field`, `occurred_at`, `event_seq`)
);
--> statement-breakpoint
CREATE INDEX `event_changes_seq` ON `event_changes` (`event_seq`);--> statement-breakpoint
CREATE TABLE `events` (
	`seq` integer PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`id` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`category` text NOT NULL,
	`type` text NOT NULL,
	`action` text NOT NULL,
	`status` text,
	`source` text,
	`actor_type` text,
	`actor_id` text,
	`actor_name` text,
	`actor_email` text,
	`entity_type` text,
	`entity_id` text,
	`organization_id` text,
	`request_id` text,
	`job_id` text,
	`request_method` text,
	`request_path` text,
	`status_code` integer,
	`data` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_project_id` ON `events` (`project_id`,`id`);--> statement-breakpoint
CREATE INDEX `events_time` ON `events` (`project_id`,`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_received` ON `events` (`project_id`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_category` ON `events` (`project_id`,`category`,`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_type` ON `events` (`project_id`,`type`,`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_status` ON `events` (`project_id`,`status`,`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_source` ON `events` (`project_id`,`source`,`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_actor_id` ON `events` (`project_id`,`actor_id`,`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_actor_type` ON `events` (`project_id`,`actor_type`,`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_actor_name` ON `events` (`project_id`,`actor_name`,`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_actor_email` ON `events` (`project_id`,`actor_email`,`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_entity_type` ON `events` (`project_id`,`entity_type`,`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_entity_id` ON `events` (`project_id`,`entity_id`,`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_organization` ON `events` (`project_id`,`organization_id`,`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_request` ON `events` (`project_id`,`request_id`,`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_job` ON `events` (`project_id`,`job_id`,`occurred_at`,`id`);--> statement-breakpoint
CREATE TABLE `retention_cutoffs` (
	`project_id` text PRIMARY KEY NOT NULL,
	`cutoff` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `projects` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`retention_days` integer DEFAULT 365 NOT NULL,
	`redaction_keys` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `memberships` (
	`project_id` text NOT NULL,
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`organization_id` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `memberships_user` ON `memberships` (`user_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`password_hash` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email` ON `users` (`email`);