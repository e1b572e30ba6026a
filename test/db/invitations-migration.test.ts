import { env } from "cloudflare:test";
import { expect, it } from "vitest";

// Migration 0014 turns memberships that were added without asking into open invitations. Its data
// statements run again here over rows made the way each old path made them.
it("turns memberships added without asking into invitations, and keeps every other kind", async () => {
  const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0014_"));
  if (!migration) throw new Error("no migration 0014");
  const data = migration.queries.filter((q) => !/^\s*ALTER TABLE/i.test(q));
  expect(data).toHaveLength(2);

  const statements = [
    // Projects made at 1000 (P3 and P4 by the bootstrap for an account that already existed).
    ...["p1", "p2", "p3", "p4"].map((id) =>
      env.DB.prepare(
        "INSERT INTO projects (id, name, timezone, retention_days, redaction_keys, created_at) VALUES (?, ?, 'UTC', 365, '[]', 1000)",
      ).bind(id, `Project ${id}`),
    ),
    ...[
      ["u_owner", 1000],
      ["u_added", 500],
      ["u_onetime", 2000],
      ["u_invited", 500],
      ["u_bootstrap", 500],
      ["u_owner_added", 500],
      ["u_only_owner", 500],
      ["u_other_owner", 500],
    ].map(([id, at]) =>
      env.DB.prepare(
        "INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, ?, 'Someone', 'x', ?)",
      ).bind(id, `${id}@example.com`, at),
    ),
    ...[
      ["p1", "u_owner", "owner", 1000], // the bootstrap's new account
      ["p1", "u_added", "viewer", 2000], // an existing account added by an admin: unasked
      ["p1", "u_onetime", "member", 2000], // an account made with a one-time password
      ["p1", "u_invited", "member", 3000], // an existing account that accepted an invitation
      ["p2", "u_bootstrap", "owner", 1000], // an existing account given a new project by the bootstrap
      ["p1", "u_owner_added", "owner", 2500], // an existing account made owner: unasked, other owner stays
      ["p3", "u_only_owner", "owner", 2000], // unasked, but the last owner of p3 (after the first left)
      ["p4", "u_owner_added", "owner", 2500], // p4's owners were all added unasked:
      ["p4", "u_other_owner", "owner", 2600], // they stay, or p4 would have none
    ].map(([project, user, role, at]) =>
      env.DB.prepare("INSERT INTO memberships (project_id, user_id, role, created_at) VALUES (?, ?, ?, ?)").bind(
        project,
        user,
        role,
        at,
      ),
    ),
    env.DB.prepare(
      "INSERT INTO invites (id, project_id, email, role, token_hash, created_by, created_at, expires_at, accepted_at) VALUES ('inv_done', 'p1', 'u_invited@example.com', 'member', 'h', 'u_owner', 2900, 9000, 3000)",
    ),
  ];
  await env.DB.batch(statements);
  for (const query of data) await env.DB.prepare(query).run();

  const { results: members } = await env.DB.prepare(
    "SELECT project_id, user_id FROM memberships ORDER BY project_id, user_id",
  ).all();
  expect(members).toEqual([
    { project_id: "p1", user_id: "u_invited" },
    { project_id: "p1", user_id: "u_onetime" },
    { project_id: "p1", user_id: "u_owner" },
    { project_id: "p2", user_id: "u_bootstrap" },
    { project_id: "p3", user_id: "u_only_owner" },
    { project_id: "p4", user_id: "u_other_owner" },
    { project_id: "p4", user_id: "u_owner_added" },
  ]);
  const { results: invites } = await env.DB.prepare(
    "SELECT project_id, email, role, created_by, accepted_at, expires_at - created_at AS lifetime, length(token_hash) AS hash_length FROM invites WHERE id <> 'inv_done' ORDER BY email",
  ).all();
  expect(invites).toEqual([
    {
      project_id: "p1",
      email: "u_added@example.com",
      role: "viewer",
      created_by: "system",
      accepted_at: null,
      lifetime: 30 * 86_400_000,
      hash_length: 64,
    },
    {
      project_id: "p1",
      email: "u_owner_added@example.com",
      role: "owner",
      created_by: "system",
      accepted_at: null,
      lifetime: 30 * 86_400_000,
      hash_length: 64,
    },
  ]);
});
