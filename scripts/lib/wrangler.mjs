// Thin helpers over the wrangler CLI for the npm scripts (bootstrap, start). They run the project's
// own wrangler so the scripts work the same through `npm run` and `node scripts/…`.
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

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

export function applyMigrations(remote, persistTo) {
  run(["d1", "migrations", "apply", "DB", ...targetFlags(remote, persistTo)]);
}

/** SQL string literal; the only escape SQLite needs is a doubled quote. */
export function sqlText(value) {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number") return String(value);
  return `'${String(value).replace(/'/g, "''")}'`;
}

/** Runs SQL against the DB binding and returns the rows of the last statement. */
export function d1(sql, remote, persistTo) {
  const out = run(["d1", "execute", "DB", ...targetFlags(remote, persistTo), "--json", "--command", sql], {
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
