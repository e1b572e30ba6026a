CREATE TABLE `log_streams` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`destination_type` text NOT NULL,
	`destination` text NOT NULL,
	`secrets` text NOT NULL,
	`filter` text DEFAULT '' NOT NULL,
	`format` text NOT NULL,
	`state` text NOT NULL,
	`disabled_reason` text,
	`cursor` text NOT NULL,
	`generation` integer DEFAULT 0 NOT NULL,
	`retry_end` text,
	`failures` integer DEFAULT 0 NOT NULL,
	`failing_since` integer,
	`last_error` text,
	`last_error_at` integer,
	`last_delivered_at` integer,
	`delivered_events` integer DEFAULT 0 NOT NULL,
	`last_test_at` integer,
	`last_test_result` text,
	`next_run_at` integer,
	`lease_token` text,
	`lease_until` integer,
	`paused_at` integer,
	`replayed_at` integer,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `log_streams_project` ON `log_streams` (`project_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `log_streams_due` ON `log_streams` (`state`,`next_run_at`);