CREATE TABLE `embed_settings` (
	`project_id` text PRIMARY KEY NOT NULL,
	`allowed_origins` text NOT NULL,
	`theme` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `viewer_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`organization_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`session_hash` text,
	`actor` text NOT NULL,
	`filters` text NOT NULL,
	`permissions` text NOT NULL,
	`theme` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`token_expires_at` integer NOT NULL,
	`session_ttl_ms` integer NOT NULL,
	`redeemed_at` integer,
	`session_expires_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `viewer_sessions_token` ON `viewer_sessions` (`token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `viewer_sessions_session` ON `viewer_sessions` (`session_hash`);--> statement-breakpoint
CREATE INDEX `viewer_sessions_org` ON `viewer_sessions` (`project_id`,`organization_id`);