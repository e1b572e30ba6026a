CREATE TABLE `pruned_windows` (
	`project_id` text NOT NULL,
	`window_start` integer NOT NULL,
	PRIMARY KEY(`project_id`, `window_start`)
);
