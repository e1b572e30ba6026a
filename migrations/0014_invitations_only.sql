ALTER TABLE `invites` ADD `declined_at` integer;
--> statement-breakpoint
-- Every membership is now accepted by its user: adding an account that exists sends it an
-- invitation instead of joining it at once (src/services/members/manage.ts). Memberships made the
-- old way become open invitations of 30 days, answered under Your projects. They are the ones of
-- an account that existed before it joined, in a project that existed before too (not the project
-- `npm run bootstrap` made for it), without an accepted invitation. A project keeps at least one
-- owner: an owner added that way stays when no other owner would remain.
WITH `unasked` AS (
	SELECT m.`project_id`, m.`user_id`, m.`role`, m.`organization_id`, u.`email`
	FROM `memberships` m
	JOIN `users` u ON u.`id` = m.`user_id`
	JOIN `projects` p ON p.`id` = m.`project_id`
	WHERE u.`created_at` < m.`created_at` AND p.`created_at` < m.`created_at`
		AND NOT EXISTS (SELECT 1 FROM `invites` i WHERE i.`project_id` = m.`project_id` AND i.`email` = u.`email` AND i.`accepted_at` IS NOT NULL)
)
INSERT INTO `invites` (`id`, `project_id`, `email`, `role`, `organization_id`, `token_hash`, `created_by`, `created_at`, `expires_at`)
SELECT 'inv_' || lower(hex(randomblob(13))), x.`project_id`, x.`email`, x.`role`, x.`organization_id`, lower(hex(randomblob(32))), 'system',
	CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) + 2592000000
FROM `unasked` x
WHERE x.`role` <> 'owner' OR EXISTS (
	SELECT 1 FROM `memberships` o
	WHERE o.`project_id` = x.`project_id` AND o.`role` = 'owner'
		AND NOT EXISTS (SELECT 1 FROM `unasked` y WHERE y.`project_id` = o.`project_id` AND y.`user_id` = o.`user_id`)
);
--> statement-breakpoint
DELETE FROM `memberships` WHERE EXISTS (
	SELECT 1 FROM `invites` i JOIN `users` u ON u.`email` = i.`email`
	WHERE i.`created_by` = 'system' AND i.`accepted_at` IS NULL
		AND i.`project_id` = `memberships`.`project_id` AND u.`id` = `memberships`.`user_id`
);
