CREATE TABLE `organization_words` (
	`project_id` text NOT NULL,
	`word` text NOT NULL,
	`organization_id` text NOT NULL,
	PRIMARY KEY(`project_id`, `word`, `organization_id`)
);
--> statement-breakpoint
CREATE TABLE `organizations` (
	`project_id` text NOT NULL,
	`organization_id` text NOT NULL,
	`name` text NOT NULL,
	`source` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `organization_id`)
);
