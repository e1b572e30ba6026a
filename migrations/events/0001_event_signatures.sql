-- Customers' own signatures (README "Customer-side signatures"): an event posted with an API key
-- that carries an Ed25519 public key is stored with the signature its request carried, here, in
-- the same batch as the event. `data` stays exactly what is hashed, so digests are unchanged; the
-- row goes when its event goes (retention, a move's clean-up) and never otherwise.
CREATE TABLE `event_signatures` (
	`seq` integer PRIMARY KEY NOT NULL,
	`pn` integer NOT NULL,
	`key_id` text NOT NULL,
	`signature` text NOT NULL
);
--> statement-breakpoint
CREATE TRIGGER `event_signatures_delete` AFTER DELETE ON `events` BEGIN DELETE FROM `event_signatures` WHERE `seq` = OLD.`seq`; END;
--> statement-breakpoint
CREATE TRIGGER `event_signatures_no_update` BEFORE UPDATE ON `event_signatures` BEGIN SELECT RAISE(ABORT, 'event signatures are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `event_signatures_no_delete` BEFORE DELETE ON `event_signatures` WHEN EXISTS (SELECT 1 FROM `events` WHERE `seq` = OLD.`seq`) BEGIN SELECT RAISE(ABORT, 'event signatures go only with their event'); END;
