// npm run bootstrap -- --local | --remote [--email you@example.com] [--password …] [--name "Your Name"]
//                      [--project "Project name"] [--timezone Europe/Berlin] [--region default|eu]
//                      [--operator] [--persist-to dir]
//
// Creates a project, its first owner and an admin API key, and prints them as one JSON object on
// the last line. An existing user (same e-mail) becomes owner of the new project; their password
// is left as it is. Secrets are stored only as hashes: the key and a generated password are shown
// here once.
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { sha256Hex } from "../src/lib/crypto.ts";
import { newId } from "../src/lib/ids.ts";
import { hashPassword } from "../src/lib/password.ts";
import { applyMigrations, d1, regionOf, shardBindings, shardSql, sqlText } from "./lib/wrangler.mjs";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The shard a new project of `region` goes to, as the Worker chooses (src/services/shards/placement.ts):
 * open, and the least filled by measured size, then by projects placed.
 */
function chooseShard(region, remote, persistTo) {
  const bound = shardBindings().filter((b) => regionOf(b) === region);
  if (bound.length === 0) throw new Error(`wrangler.toml binds no event shard of the ${region} region`);
  const known = new Map(
    d1("SELECT binding, state, size_bytes FROM shards", remote, persistTo).map((r) => [r.binding, r]),
  );
  const placed = new Map(
    d1("SELECT shard, count(*) AS n FROM placements GROUP BY shard", remote, persistTo).map((r) => [r.shard, r.n]),
  );
  const open = bound.filter((b) => (known.get(b)?.state ?? "open") === "open");
  const size = (b) => known.get(b)?.size_bytes ?? 0;
  const [best] = open.sort((a, b) => size(a) - size(b) || (placed.get(a) ?? 0) - (placed.get(b) ?? 0));
  if (!best) throw new Error(`every event shard of the ${region} region is closed: add one (README "Deploy")`);
  return best;
}

export async function bootstrap({
  remote,
  email,
  password,
  name,
  project,
  timezone,
  region = "default",
  operator = false,
  persistTo,
  // npm start has just applied them.
  migrate = true,
}) {
  email = email.trim().toLowerCase();
  if (!EMAIL.test(email)) throw new Error(`--email "${email}" is not an e-mail address`);
  try {
    new Intl.DateTimeFormat("en", { timeZone: timezone });
  } catch {
    throw new Error(`--timezone "${timezone}" is not an IANA time zone (e.g. UTC, Europe/Berlin)`);
  }
  if (password !== undefined && password.length < 10) throw new Error("--password must have at least 10 characters");
  if (region !== "default" && region !== "eu") throw new Error(`--region "${region}" is not default or eu`);

  if (migrate) applyMigrations(remote, persistTo);
  const now = Date.now();
  const [existing] = d1(`SELECT id FROM users WHERE email = ${sqlText(email)}`, remote, persistTo);
  // The deployment's first account runs it (sees the shards, moves projects); --operator makes one more.
  const [{ n: accounts }] = d1("SELECT count(*) AS n FROM users", remote, persistTo);
  const isOperator = operator || accounts === 0;
  const userId = existing?.id ?? newId("usr", now);
  const generated = existing || password ? undefined : randomBytes(12).toString("base64url");
  const projectId = newId("prj", now);
  const keyId = newId("key", now);
  const apiKey = `tb_${randomBytes(32).toString("base64url")}`;
  // The project's home for its events: numbered on its shard first, so no project exists without one.
  const shard = chooseShard(region, remote, persistTo);
  const [{ pn }] = shardSql(
    shard,
    `INSERT INTO shard_projects (project_id) VALUES (${sqlText(projectId)}) RETURNING pn`,
    remote,
    persistTo,
  );

  const statements = [
    `INSERT INTO projects (id, name, timezone, retention_days, redaction_keys, region, created_at)
     VALUES (${sqlText(projectId)}, ${sqlText(project)}, ${sqlText(timezone)}, 365, '[]', ${sqlText(region)}, ${now})`,
    `INSERT INTO placements (project_id, shard, pn, updated_at) VALUES (${sqlText(projectId)}, ${sqlText(shard)}, ${pn}, ${now})`,
    `INSERT INTO memberships (project_id, user_id, role, organization_id, created_at)
     VALUES (${sqlText(projectId)}, ${sqlText(userId)}, 'owner', NULL, ${now})`,
    `INSERT INTO api_keys (id, project_id, name, scope, key_hash, prefix, created_at, created_by)
     VALUES (${sqlText(keyId)}, ${sqlText(projectId)}, 'Bootstrap admin key', 'admin', ${sqlText(await sha256Hex(apiKey))},
             ${sqlText(apiKey.slice(0, 10))}, ${now}, ${sqlText(userId)})`,
  ];
  if (!existing) {
    const hash = await hashPassword(password ?? generated);
    statements.unshift(
      `INSERT INTO users (id, email, name, password_hash, operator, created_at)
       VALUES (${sqlText(userId)}, ${sqlText(email)}, ${sqlText(name)}, ${sqlText(hash)}, ${isOperator ? 1 : 0}, ${now})`,
    );
  } else if (isOperator) {
    statements.push(`UPDATE users SET operator = 1 WHERE id = ${sqlText(userId)}`);
  }
  // wrangler runs the statements of one --command together; a failure leaves nothing half-made.
  d1(statements.join(";\n"), remote, persistTo);
  return {
    project_id: projectId,
    project_name: project,
    region,
    shard,
    user_id: userId,
    email,
    password: existing ? null : (password ?? generated),
    password_note: existing ? "existing user: password unchanged" : undefined,
    api_key: apiKey,
    api_key_id: keyId,
    api_key_scope: "admin",
    operator: isOperator,
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      local: { type: "boolean", default: false },
      remote: { type: "boolean", default: false },
      email: { type: "string", default: "owner@example.com" },
      password: { type: "string" },
      name: { type: "string", default: "Owner" },
      project: { type: "string", default: "My project" },
      timezone: { type: "string", default: "UTC" },
      region: { type: "string", default: "default" },
      operator: { type: "boolean", default: false },
      "persist-to": { type: "string" },
    },
  });
  if (values.local === values.remote) throw new Error("pass exactly one of --local or --remote");
  if (values.remote && values["persist-to"]) throw new Error("--persist-to is for --local state only");
  const result = await bootstrap({ ...values, persistTo: values["persist-to"] });
  console.error(`Created project "${result.project_name}" with owner ${result.email} and an admin API key.`);
  console.log(JSON.stringify(result));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error) => {
    console.error(`bootstrap failed: ${error.message}`);
    process.exit(1);
  });
}
