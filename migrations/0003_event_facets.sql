CREATE TABLE `event_facets` (
	`project_id` text NOT NULL,
	`facet` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`project_id`, `facet`, `value`)
);
