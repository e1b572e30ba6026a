// Thin helpers over the wrangler CLI for the npm scripts (bootstrap, start). They run the project's
// own wrangler so the scripts work the same through `npm run` and `node scripts/…`.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrationSummary } from "./start-options.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const WRANGLER = path.join(ROOT, "node_modules", ".bin", "wrangler");

/** "--local" or "--remote", and for local state kept elsewhere than .wrangler/state, --persist-to. */
export function targetFlags(remote, persistTo) {
  if (remote) return ["--remote"];
  return persistTo ? ["--local", "--persist-to", persistTo] : ["--local"];
}

function run(args, { capture = false } = {}) {
  const result = spawnSync(WRANGLER, args, {
    cwd: ROOT,
    encoding: "utf8",
    // stdout is captured for --json answers; wrangler's progress goes to our stderr either way.
    stdio: ["ignore", capture ? "pipe" : process.stderr, "inherit"],
    env: { ...process.env, CI: process.env.CI ?? "1", WRANGLER_SEND_METRICS: "false" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(
      `wrangler ${args.join(" ")} failed with exit code ${result.status}${capture ? `\n${result.stdout}` : ""}`,
    );
  }
  return result.stdout;
}

/**
 * The event shard bindings wrangler.toml declares for the deployment (its top level, not the test
 * environment): EVENTS_<n> and EVENTS_EU_<n>. README "Storage at scale".
 */
export function shardBindings() {
  const toml = readFileSync(path.join(ROOT, "wrangler.toml"), "utf8");
  const top = toml.split(/^\[env\./m)[0] ?? "";
  return [...top.matchAll(/^binding\s*=\s*"(EVENTS_(?:EU_)?\d+)"/gm)].map((m) => m[1]);
}

/** The region a shard binding's name gives. */
export const regionOf = (binding) => (binding.startsWith("EVENTS_EU_") ? "eu" : "default");

/**
 * Applies the control database's migrations and, to every event shard, the shard migrations
 * (migrations/events, shared by all shards). Output is one line per database, not wrangler's
 * tables (it reprints its status table after every migration); a failure prints the line, then
 * everything wrangler said, and stops.
 */
export function applyMigrations(remote, persistTo) {
  for (const binding of ["DB", ...shardBindings()]) {
    const result = spawnSync(WRANGLER, ["d1", "migrations", "apply", binding, ...targetFlags(remote, persistTo)], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CI: process.env.CI ?? "1", WRANGLER_SEND_METRICS: "false" },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error) throw result.error;
    const ok = result.status === 0;
    console.error(`  ${migrationSummary(binding, result.stdout ?? "", ok)}`);
    if (!ok) {
      console.error(`${result.stdout ?? ""}\n${result.stderr ?? ""}`);
      throw new Error(
        `the migrations of ${binding} failed (wrangler exited with code ${result.status}); its output is above`,
      );
    }
  }
}

/** Runs SQL against a shard binding and returns the rows of the last statement. */
export function shardSql(binding, sql, remote, persistTo) {
  return d1(sql, remote, persistTo, binding);
}

/** SQL string literal; the only escape SQLite needs is a doubled quote. */
export function sqlText(value) {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number") return String(value);
  return `'${String(value).replace(/'/g, "''")}'`;
}

/** Runs SQL against the DB binding (or another) and returns the rows of the last statement. */
export function d1(sql, remote, persistTo, binding = "DB") {
  const out = run(["d1", "execute", binding, ...targetFlags(remote, persistTo), "--json", "--command", sql], {
    capture: true,
  });
  const answers = JSON.parse(out);
  const last = Array.isArray(answers) ? answers.at(-1) : answers;
  return last?.results ?? [];
}

/** Starts `wrangler dev` in the foreground of this terminal and returns the child process. */
export function startDev(port) {
  return spawn(WRANGLER, ["dev", "--port", String(port), "--ip", "127.0.0.1"], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
}
