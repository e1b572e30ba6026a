-- The words of each project's actors' names and e-mail addresses, folded (lower case, no accents;
-- src/lib/words.ts), so that typing the start of any of them ("jan", "doe", "jane@ex") is a range
-- of this key: the explorer's actor suggestions and the `actor:` clause read a few rows however
-- many actors a shard holds. Ingest writes them in the batch that stores the actor's events.
CREATE TABLE `actor_words` (
	`pn` integer NOT NULL,
	`word` text NOT NULL,
	`actor` integer NOT NULL,
	PRIMARY KEY (`pn`, `word`, `actor`)
) WITHOUT ROWID;
--> statement-breakpoint
-- Actors stored before: their whole name and address and each word between spaces and @ . _ - +,
-- lower-cased by SQLite (ASCII letters only; the next event naming an actor adds the folded words).
INSERT OR IGNORE INTO `actor_words` (`pn`, `word`, `actor`)
WITH RECURSIVE `texts` (`pn`, `actor`, `text`) AS (
	SELECT `f`.`pn`, `a`.`id`, trim(lower(`a`.`name`)) FROM `event_facets` AS `f` JOIN `actors` AS `a` ON `a`.`id` = `f`.`value` WHERE `f`.`organization` = 0 AND `f`.`facet` = 5
	UNION ALL
	SELECT `f`.`pn`, `a`.`id`, trim(lower(`a`.`email`)) FROM `event_facets` AS `f` JOIN `actors` AS `a` ON `a`.`id` = `f`.`value` WHERE `f`.`organization` = 0 AND `f`.`facet` = 5
), `parts` (`pn`, `actor`, `rest`, `word`) AS (
	SELECT `pn`, `actor`, replace(replace(replace(replace(replace(`text`, '@', ' '), '.', ' '), '_', ' '), '-', ' '), '+', ' ') || ' ', '' FROM `texts`
	UNION ALL
	SELECT `pn`, `actor`, substr(`rest`, instr(`rest`, ' ') + 1), substr(`rest`, 1, instr(`rest`, ' ') - 1) FROM `parts` WHERE `rest` <> ''
)
SELECT `pn`, substr(`word`, 1, 64), `actor` FROM `parts` WHERE `word` <> ''
UNION
SELECT `pn`, substr(`text`, 1, 64), `actor` FROM `texts` WHERE `text` <> '';
