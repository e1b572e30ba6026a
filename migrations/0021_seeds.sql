ALTER TABLE `projects` ADD `entity_links` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `hidden_views` text DEFAULT '{}' NOT NULL;