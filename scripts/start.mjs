// npm start: local D1/R2/Queues through wrangler's local mode, migrations applied, a demo project
// seeded once with realistic events, then `wrangler dev` on http://localhost:8787, or the port of
// `npm start -- --port N` or PORT=N.
//
// The demo credentials live in .wrangler/demo.json (local state, git-ignored) so every start prints
// the same working login and API key; delete .wrangler/ to start from scratch.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { bootstrap } from "./bootstrap.mjs";
import { demoEvents } from "./lib/demo-events.mjs";
import { cronsOf, fireCrons } from "./lib/local-cron.mjs";
import { startOptions } from "./lib/start-options.mjs";
import { applyMigrations, d1, ROOT, sqlText, startDev } from "./lib/wrangler.mjs";

let options;
try {
  options = startOptions(process.argv.slice(2), process.env);
} catch (error) {
  console.error(`npm start: ${error.message}`);
  process.exit(2);
}
if (options.help) {
  console.log("Usage: npm start [-- --port N]   (or PORT=N npm start; default 8787)");
  process.exit(0);
}
const PORT = options.port;
const BASE = `http://localhost:${PORT}`;
const DEMO_FILE = path.join(ROOT, ".wrangler", "demo.json");
const DEV_VARS = path.join(ROOT, ".dev.vars");
const BATCH = 500;

/** .dev.vars holds local settings and secrets; missing entries are added, existing ones kept. */
function ensureDevVars() {
  const current = existsSync(DEV_VARS)
    ? readFileSync(DEV_VARS, "utf8")
    : "# Local settings for wrangler dev (git-ignored).\n";
  let next = current.endsWith("\n") ? current : `${current}\n`;
  if (!/^ENVIRONMENT=/m.test(next)) next += "ENVIRONMENT=development\n";
  if (!/^SECRETS_KEY=/m.test(next)) next += `SECRETS_KEY=${randomBytes(32).toString("base64url")}\n`;
  // The operators' API (npm run shards) on the local deployment.
  if (!/^OPERATOR_TOKEN=/m.test(next)) next += `OPERATOR_TOKEN=${randomBytes(32).toString("base64url")}\n`;
  if (!/^INTEGRITY_SIGNING_KEY=/m.test(next)) {
    // A local Ed25519 key for integrity digests; production sets its own with wrangler secret put.
    const jwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });
    next += `INTEGRITY_SIGNING_KEY='${JSON.stringify(jwk)}'\n`;
  }
  if (next !== current) writeFileSync(DEV_VARS, next);
}

/** The saved demo credentials, if the project and key they name still exist in local D1. */
function savedDemo() {
  if (!existsSync(DEMO_FILE)) return undefined;
  const demo = JSON.parse(readFileSync(DEMO_FILE, "utf8"));
  const [row] = d1(
    `SELECT count(*) AS n FROM api_keys WHERE id = ${sqlText(demo.api_key_id)} AND project_id = ${sqlText(demo.project_id)} AND revoked_at IS NULL`,
    false,
  );
  return row?.n === 1 ? demo : undefined;
}

async function demoProject() {
  const saved = savedDemo();
  if (saved) return saved;
  const demo = await bootstrap({
    remote: false,
    email: "demo@trailbook.dev",
    password: undefined,
    name: "Demo Owner",
    project: "Demo project",
    timezone: "Europe/Berlin",
    migrate: false,
  });
  // Seeded events are fixed to this moment, so a re-run after an interrupted seed sends the same
  // events again and the API answers duplicate for those already stored.
  const saved2 = { ...demo, seeded_at: Date.now() };
  mkdirSync(path.dirname(DEMO_FILE), { recursive: true });
  writeFileSync(DEMO_FILE, JSON.stringify(saved2, null, 2));
  return saved2;
}

async function waitForServer(child) {
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error("wrangler dev exited before it was ready");
    try {
      const response = await fetch(`${BASE}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${BASE}/healthz did not answer within 2 minutes`);
}

async function seed(demo) {
  const events = demoEvents({ now: demo.seeded_at });
  const last = events.at(-1);
  const probe = await fetch(`${BASE}/v1/events/${last.id}`, { headers: { Authorization: `Bearer ${demo.api_key}` } });
  if (probe.ok) return;
  console.error(`Seeding ${events.length} demo events…`);
  for (let i = 0; i < events.length; i += BATCH) {
    const response = await fetch(`${BASE}/v1/events/batch`, {
      method: "POST",
      headers: { Authorization: `Bearer ${demo.api_key}`, "Content-Type": "application/json" },
      body: JSON.stringify({ events: events.slice(i, i + BATCH) }),
    });
    if (response.status === 429) {
      await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get("Retry-After") ?? 10) * 1000));
      i -= BATCH;
      continue;
    }
    if (!response.ok) throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
  }
}

function banner(demo) {
  const line = "─".repeat(72);
  console.log(`
${line}
  Trailbook is running at ${BASE}

  Dashboard   ${BASE}/
  Log in as   ${demo.email} / ${demo.password}
  API key     ${demo.api_key}   (admin scope, project ${demo.project_id})

  Try it:
    curl -s -X POST ${BASE}/v1/events \\
      -H "Authorization: Bearer ${demo.api_key}" -H "Content-Type: application/json" \\
      -d '{"type":"commission.updated","summary":"Commission approved","changes":{"status":["pending","approved"]}}'
    curl -s "${BASE}/v1/events?type=commission.*&limit=5" -H "Authorization: Bearer ${demo.api_key}"
${line}
`);
}

async function main() {
  ensureDevVars();
  console.error("Applying migrations to the local databases…");
  applyMigrations(false);
  const demo = await demoProject();
  const child = startDev(PORT);
  const stop = () => child.kill("SIGINT");
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  child.on("exit", (code) => process.exit(code ?? 0));
  await waitForServer(child);
  fireCrons(BASE, cronsOf(readFileSync(path.join(ROOT, "wrangler.toml"), "utf8")));
  await seed(demo);
  banner(demo);
}

main().catch((error) => {
  console.error(`npm start failed: ${error.message}`);
  process.exit(1);
});
