CREATE TABLE `alert_firings` (
	`rule_id` text NOT NULL,
	`group_key` text NOT NULL,
	`fired_at` integer NOT NULL,
	PRIMARY KEY(`rule_id`, `group_key`)
);
--> statement-breakpoint
CREATE TABLE `alert_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`filter` text DEFAULT '' NOT NULL,
	`condition` text NOT NULL,
	`threshold` integer DEFAULT 1 NOT NULL,
	`window_minutes` integer NOT NULL,
	`group_by` text,
	`email` integer DEFAULT false NOT NULL,
	`webhook_id` text,
	`enabled` integer DEFAULT true NOT NULL,
	`template` text,
	`last_fired_at` integer,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `alert_rules_project` ON `alert_rules` (`project_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `alert_rules_due` ON `alert_rules` (`condition`,`enabled`);--> statement-breakpoint
CREATE TABLE `roles` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`permissions` text NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `roles_project_name` ON `roles` (`project_id`,`name`);--> statement-breakpoint
CREATE INDEX `roles_project` ON `roles` (`project_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `password_resets` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `password_resets_token` ON `password_resets` (`token_hash`);--> statement-breakpoint
CREATE INDEX `password_resets_user` ON `password_resets` (`user_id`);--> statement-breakpoint
ALTER TABLE `invites` ADD `role_id` text;--> statement-breakpoint
ALTER TABLE `memberships` ADD `role_id` text;--> statement-breakpoint
CREATE INDEX `memberships_role` ON `memberships` (`role_id`);