CREATE TABLE `webhook_attempts` (
	`id` text PRIMARY KEY NOT NULL,
	`sendout_id` text NOT NULL,
	`project_id` text NOT NULL,
	`trigger` text NOT NULL,
	`started_at` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`request_headers` text NOT NULL,
	`response_status` integer,
	`response_excerpt` text,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `webhook_attempts_sendout` ON `webhook_attempts` (`sendout_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `webhook_endpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`url` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`event_types` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`secret` text NOT NULL,
	`previous_secret` text,
	`previous_secret_expires_at` integer,
	`disabled_reason` text,
	`failing_since` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `webhook_endpoints_project` ON `webhook_endpoints` (`project_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `webhook_sendouts` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`endpoint_id` text NOT NULL,
	`event_seq` integer,
	`event_id` text NOT NULL,
	`event_type` text NOT NULL,
	`request_id` text,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_status_code` integer,
	`next_attempt_at` integer,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `webhook_sendouts_project` ON `webhook_sendouts` (`project_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `webhook_sendouts_status` ON `webhook_sendouts` (`project_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `webhook_sendouts_endpoint` ON `webhook_sendouts` (`project_id`,`endpoint_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `webhook_sendouts_event` ON `webhook_sendouts` (`project_id`,`event_id`);--> statement-breakpoint
CREATE INDEX `webhook_sendouts_sent` ON `webhook_sendouts` (`project_id`,`sent_at`);--> statement-breakpoint
CREATE INDEX `webhook_sendouts_due` ON `webhook_sendouts` (`status`,`updated_at`);