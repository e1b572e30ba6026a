-- Keep event_facets (the explorer's pickers) in step with inserts: one simple statement per trigger.
CREATE TRIGGER `event_facets_type` AFTER INSERT ON `events` WHEN NEW.`type` IS NOT NULL BEGIN INSERT OR IGNORE INTO `event_facets` (`project_id`, `facet`, `value`) VALUES (NEW.`project_id`, 'type', NEW.`type`); END;
--> statement-breakpoint
CREATE TRIGGER `event_facets_category` AFTER INSERT ON `events` WHEN NEW.`category` IS NOT NULL BEGIN INSERT OR IGNORE INTO `event_facets` (`project_id`, `facet`, `value`) VALUES (NEW.`project_id`, 'category', NEW.`category`); END;
--> statement-breakpoint
CREATE TRIGGER `event_facets_source` AFTER INSERT ON `events` WHEN NEW.`source` IS NOT NULL BEGIN INSERT OR IGNORE INTO `event_facets` (`project_id`, `facet`, `value`) VALUES (NEW.`project_id`, 'source', NEW.`source`); END;
--> statement-breakpoint
CREATE TRIGGER `event_facets_organization_id` AFTER INSERT ON `events` WHEN NEW.`organization_id` IS NOT NULL BEGIN INSERT OR IGNORE INTO `event_facets` (`project_id`, `facet`, `value`) VALUES (NEW.`project_id`, 'organization_id', NEW.`organization_id`); END;
--> statement-breakpoint
CREATE TRIGGER `event_facets_actor_id` AFTER INSERT ON `events` WHEN NEW.`actor_id` IS NOT NULL BEGIN INSERT OR IGNORE INTO `event_facets` (`project_id`, `facet`, `value`) VALUES (NEW.`project_id`, 'actor_id', NEW.`actor_id`); END;
--> statement-breakpoint
CREATE TRIGGER `event_facets_changed` AFTER INSERT ON `event_changes` BEGIN INSERT OR IGNORE INTO `event_facets` (`project_id`, `facet`, `value`) VALUES (NEW.`project_id`, 'changed', NEW.`field`); END;
--> statement-breakpoint
-- Facets for events stored before these triggers existed.
INSERT OR IGNORE INTO `event_facets` (`project_id`, `facet`, `value`) SELECT DISTINCT `project_id`, 'type', `type` FROM `events`;
--> statement-breakpoint
INSERT OR IGNORE INTO `event_facets` (`project_id`, `facet`, `value`) SELECT DISTINCT `project_id`, 'category', `category` FROM `events`;
--> statement-breakpoint
INSERT OR IGNORE INTO `event_facets` (`project_id`, `facet`, `value`) SELECT DISTINCT `project_id`, 'source', `source` FROM `events` WHERE `source` IS NOT NULL;
--> statement-breakpoint
INSERT OR IGNORE INTO `event_facets` (`project_id`, `facet`, `value`) SELECT DISTINCT `project_id`, 'organization_id', `organization_id` FROM `events` WHERE `organization_id` IS NOT NULL;
--> statement-breakpoint
INSERT OR IGNORE INTO `event_facets` (`project_id`, `facet`, `value`) SELECT DISTINCT `project_id`, 'actor_id', `actor_id` FROM `events` WHERE `actor_id` IS NOT NULL;
--> statement-breakpoint
INSERT OR IGNORE INTO `event_facets` (`project_id`, `facet`, `value`) SELECT DISTINCT `project_id`, 'changed', `field` FROM `event_changes`;
