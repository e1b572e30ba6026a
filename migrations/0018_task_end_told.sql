ALTER TABLE `tasks` ADD `told_at` integer;--> statement-breakpoint
CREATE INDEX `tasks_untold` ON `tasks` (`finished_at`) WHERE told_at IS NULL AND finished_at IS NOT NULL;--> statement-breakpoint
-- Tasks that ended before this column existed count as told.
UPDATE `tasks` SET `told_at` = `finished_at` WHERE `finished_at` IS NOT NULL;
