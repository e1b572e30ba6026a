// npm run bench [-- --sizes 100000,1000000 --runs 30 --bytes-events 100000 --out test/bench/results.json
//                   --plans plans.json --keep-state --only load,export,explorer --load-seconds 30 --load-clients 32]
//
// Runs Trailbook's real Worker (`wrangler dev`: workerd with local D1, R2 and Queues) and a bare
// baseline Worker (test/bench/baseline.ts, also under `wrangler dev`) on the same local D1 databases
// (the control database and every event shard), and reports each figure beside its baseline with
// the ratio. Ratios hold on a shared machine where absolute times drift. Storage is measured apart:
// bytes per event of a fixed corpus (test/bench/corpus.mjs) ingested through the API into a project
// alone on its shard.

import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import canonicalize from "canonicalize";
import { demoEvents } from "../../scripts/lib/demo-events.mjs";
import { shardBindings } from "../../scripts/lib/wrangler.mjs";
import { redact, redactBody, sensitiveKeyMatcher } from "../../src/lib/redact.ts";
import { corpus } from "./corpus.mjs";

const ROOT = path.resolve(import.meta.dirname, "../..");
const { values } = parseArgs({
  options: {
    // Default 100000,1000000; 100000 with --only.
    sizes: { type: "string" },
    // Default test/bench/results.json; test/bench/results-only.json with --only.
    out: { type: "string" },
    runs: { type: "string", default: "30" },
    "bytes-events": { type: "string", default: "100000" },
    // Where to write each list's and count's statements with SQLite's query plans, per size.
    plans: { type: "string" },
    // Leaves the local databases (wrangler's state directory) for a look afterwards; prints where.
    "keep-state": { type: "boolean", default: false },
    // Some figures only (a comma list of FIGURES), for a run of a few minutes.
    only: { type: "string" },
    // Single events under load: how long each side is loaded, and by how many clients at once.
    "load-seconds": { type: "string", default: "30" },
    "load-clients": { type: "string", default: "32" },
    // Where to write CPU profiles of the Worker's isolate (.cpuprofile, for Chrome DevTools) while it
    // serves single events under load, explorer pages and an export, after their timed runs; each is
    // summarised as printed.
    "cpu-profile": { type: "string" },
  },
});
/**
 * The groups of figures: batch and sequential single-event ingest, bytes per event, list and
 * count queries, the explorer page, the export, and single events under concurrent load.
 */
const FIGURES = ["ingest", "bytes", "lists", "explorer", "export", "load"];
const ONLY = values.only?.split(",").map((f) => f.trim());
for (const f of ONLY ?? []) if (!FIGURES.includes(f)) throw new Error(`--only takes ${FIGURES.join(", ")}; not ${f}`);
const wants = (figure) => !ONLY || ONLY.includes(figure);
values.sizes ??= ONLY ? "100000" : "100000,1000000";
values.out ??= ONLY ? "test/bench/results-only.json" : "test/bench/results.json";
if (!wants("bytes")) values["bytes-events"] = "0";
const SIZES = values.sizes.split(",").map(Number);
const LOAD_SECONDS = Number(values["load-seconds"]);
const LOAD_CLIENTS = Number(values["load-clients"]);
const RUNS = Number(values.runs);
/** The explorer page's p95 wants more samples than a list's: its three sides are timed in turn this many times. */
const EXPLORER_RUNS = 200;
const began = performance.now();
const BYTES_EVENTS = Number(values["bytes-events"]);
const work = mkdtempSync(path.join(tmpdir(), "trailbook-bench-"));

const sha256 = (text) => createHash("sha256").update(text).digest("hex");
const pct = (list, p) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const ms = (n) => Math.round(n * 100) / 100;

const secretsKey = randomBytes(32).toString("hex");
const state = path.join(work, "state");

async function freePort() {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * The `wrangler dev` process groups started here. Whatever ends the bench (a failed figure
 * included), they go with it; a normal end stops them gently first (mf.dispose).
 */
const spawned = [];
process.on("exit", () => {
  for (const pid of spawned) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  if (!values["keep-state"]) rmSync(work, { recursive: true, force: true });
});

/** `wrangler dev` on a bundle; both Workers persist to one directory, so they share the D1 databases. */
async function start(args) {
  const port = await freePort();
  const child = spawn(
    path.join(ROOT, "node_modules/.bin/wrangler"),
    ["dev", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", state, ...args],
    {
      cwd: ROOT,
      env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false" },
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
    },
  );
  spawned.push(child.pid);
  let log = "";
  child.stderr.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).status < 500) return { url, child };
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`wrangler dev did not start:\n${log}`);
}

/**
 * A Chrome DevTools Protocol session with a Worker's isolate through wrangler's inspector proxy,
 * which accepts only local origins (Node's WebSocket sends none unless told).
 */
async function inspect(port) {
  let targets = [];
  for (let i = 0; i < 40 && targets.length === 0; i++) {
    targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
    if (targets.length === 0) await new Promise((r) => setTimeout(r, 250));
  }
  if (!targets[0]) throw new Error(`the inspector on port ${port} lists no Worker`);
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl, { headers: { Origin: "http://127.0.0.1" } });
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error(`cannot connect to ${targets[0].webSocketDebuggerUrl}`));
  });
  let id = 0;
  const pending = new Map();
  const listeners = new Map();
  ws.onmessage = (m) => {
    const message = JSON.parse(m.data);
    if (message.id === undefined) return listeners.get(message.method)?.(message.params);
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  };
  const call = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const n = ++id;
      pending.set(n, (message) =>
        message.error ? reject(new Error(`${method}: ${message.error.message}`)) : resolve(message.result),
      );
      ws.send(JSON.stringify({ id: n, method, params }));
    });
  return { call, on: (method, listener) => listeners.set(method, listener), close: () => ws.close() };
}

/**
 * A CPU profile of the Worker's isolate while `work` runs (only with --cpu-profile): written for
 * DevTools, and summarised as where the time went: self time per function, and the isolate idle
 * (waiting on D1, R2 or the queue) apart.
 */
async function cpuProfile(label, work, within = {}) {
  if (!values["cpu-profile"]) return;
  const session = await inspect(inspectorPort);
  await session.call("Profiler.enable");
  await session.call("Profiler.setSamplingInterval", { interval: 100 });
  await session.call("Profiler.start");
  await work();
  const { profile } = await session.call("Profiler.stop");
  session.close();
  const dir = path.resolve(ROOT, values["cpu-profile"]);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${label}.cpuprofile`), JSON.stringify(profile));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const name = `${functionName || "(anonymous)"} ${url ? `${path.basename(url)}:${lineNumber + 1}` : ""}`.trim();
    self.set(name, (self.get(name) ?? 0) + ms);
  });
  const idle = self.get("(idle)") ?? 0;
  const lines = [...self].filter(([name]) => name !== "(idle)").sort((a, b) => b[1] - a[1]);
  // `within`: { name: [function, times] }, the time spent in (and under) a function, per call of the work.
  const parents = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parents.set(child, n.id);
  const under = (fn) => {
    let ms = 0;
    profile.samples.forEach((id, i) => {
      for (let at = id; at !== undefined; at = parents.get(at)) {
        if (nodes.get(at).callFrame.functionName === fn) {
          ms += (profile.timeDeltas[i] ?? 0) / 1000;
          break;
        }
      }
    });
    return ms;
  };
  // Where each sample was: waiting (idle), the D1 and R2 clients the runtime provides (any frame of
  // cloudflare-internal on the stack), other native calls, the garbage collector, or the Worker's code.
  const split = {};
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const { functionName, url } = nodes.get(id).callFrame;
    let part = url ? "worker_code" : functionName === "(idle)" ? "idle" : "native";
    if (functionName === "(garbage collector)") part = "garbage_collector";
    for (let at = id; at !== undefined && part !== "idle"; at = parents.get(at))
      if (nodes.get(at).callFrame.url.startsWith("cloudflare-internal")) part = "d1_r2_client";
    split[part] = (split[part] ?? 0) + ms;
  });
  const summary = {
    wall_ms: Math.round(total),
    idle_ms: Math.round(idle),
    busy_ms: Math.round(total - idle),
    split_ms: Object.fromEntries(Object.entries(split).map(([k, ms]) => [k, Math.round(ms)])),
    within: Object.fromEntries(
      Object.entries(within).map(([name, [fn, times]]) => [name, Math.round((under(fn) / times) * 100) / 100]),
    ),
    top: lines.slice(0, 15).map(([name, ms]) => ({ name, ms: Math.round(ms * 10) / 10 })),
  };
  console.error(
    `CPU profile ${label}: ${summary.busy_ms} ms busy, ${summary.idle_ms} ms idle of ${summary.wall_ms} ms`,
  );
  console.error(
    `  ${Object.entries(summary.split_ms)
      .map(([k, ms]) => `${k} ${ms} ms`)
      .join(", ")}`,
  );
  for (const [name, ms] of Object.entries(summary.within)) console.error(`  ${name}: ${ms} ms`);
  for (const t of summary.top) console.error(`  ${String(t.ms).padStart(8)} ms  ${t.name}`);
  results.cpu_profiles ??= {};
  results.cpu_profiles[label] = summary;
}

const inspectorPort = await freePort();
const trailbookServer = await start([
  "--inspector-port",
  String(inspectorPort),
  "--var",
  "ENVIRONMENT:development",
  "--var",
  `SECRETS_KEY:${secretsKey}`,
]);
const baselineServer = await start(["--config", "test/bench/wrangler.baseline.toml"]);
const TB = trailbookServer.url;
const BASE = baselineServer.url;
const baseline = { fetch: (url, init) => fetch(url.replace(TB, BASE).replace("http://trailbook.bench", BASE), init) };
const mf = {
  dispatchFetch: (url, init) => fetch(url, init),
  /** Stops both `wrangler dev` process groups (workerd and esbuild included), forcibly if they linger. */
  dispose: async () => {
    const signal = (s, name) => {
      try {
        process.kill(-s.child.pid, name);
      } catch {
        // gone
      }
    };
    await Promise.all(
      [trailbookServer, baselineServer].map(async (s) => {
        const exited =
          s.child.exitCode !== null ? Promise.resolve() : new Promise((resolve) => s.child.once("exit", resolve));
        signal(s, "SIGTERM");
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
        signal(s, "SIGKILL");
      }),
    );
  },
};

/** Runs one statement through the baseline Worker on DB or a shard binding; its rows, or with `meta` also D1's meta. */
async function exec(sql, params = [], db = "DB", { meta = false } = {}) {
  const response = await baseline.fetch(`${TB}/exec`, { method: "POST", body: JSON.stringify({ db, sql, params }) });
  if (!response.ok) throw new Error(`exec on ${db} failed: ${await response.text()}\n${sql.slice(0, 200)}`);
  const answer = await response.json();
  return meta ? answer : answer.results;
}

// The shards wrangler.toml binds, each migrated from migrations/events as `npm run db:migrate:local`
// does; the bench binds them too (wrangler.baseline.toml).
const SHARDS = shardBindings();
console.error("Applying migrations…");
for (const [db, dir] of [["DB", "migrations"], ...SHARDS.map((shard) => [shard, "migrations/events"])]) {
  for (const file of readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    for (const statement of readFileSync(path.join(ROOT, dir, file), "utf8").split("--> statement-breakpoint")) {
      const sql = statement
        .split("\n")
        .filter((l) => !l.trim().startsWith("--"))
        .join("\n")
        .trim();
      if (sql) await exec(sql, [], db);
    }
  }
}

/** A shard's size as D1 reports it: `meta.size_after`, what Trailbook records (D1 refuses `PRAGMA page_count`). */
async function shardSize(shard) {
  const { meta } = await exec("SELECT 1", [], shard, { meta: true });
  return meta.size_after;
}

/**
 * Size per table and index of the local database holding `projectId`'s shard, from SQLite's dbstat:
 * D1 refuses dbstat to a Worker, so the file wrangler keeps under the state directory is opened
 * read-only beside it.
 */
async function fileStats(projectId) {
  const { DatabaseSync } = await import("node:sqlite");
  const dir = path.join(state, "v3/d1/miniflare-D1DatabaseObject");
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".sqlite"))) {
    const db = new DatabaseSync(path.join(dir, file), { readOnly: true });
    try {
      const holds = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'shard_projects'").get()
        ? db.prepare("SELECT 1 FROM shard_projects WHERE project_id = ?").get(projectId)
        : undefined;
      if (!holds) continue;
      const { page_size } = db.prepare("PRAGMA page_size").get();
      const { page_count } = db.prepare("PRAGMA page_count").get();
      const tables = db
        .prepare("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC")
        .all();
      return { file, bytes: page_size * page_count, tables };
    } finally {
      db.close();
    }
  }
  throw new Error(`no local database under ${dir} holds ${projectId}`);
}
// Measured before any project is placed: the empty migrated shard the bytes-per-event figure starts from.
const BYTES_SHARD = "EVENTS_3";
if (!SHARDS.includes(BYTES_SHARD))
  throw new Error(`wrangler.toml binds no ${BYTES_SHARD} for the bytes-per-event figure`);
const emptyShard = await shardSize(BYTES_SHARD);

// Three projects, each placed as bootstrap places one (scripts/bootstrap.mjs): numbered on its shard
// first, then the project and its placement in the control database. One for ingest figures, one
// that grows to the listed sizes, and one alone on its shard for bytes per event.
const now = Date.now();
const placed = {};
async function createProject(id, shard) {
  const [{ pn }] = await exec("INSERT INTO shard_projects (project_id) VALUES (?1) RETURNING pn", [id], shard);
  await exec(
    "INSERT INTO projects (id, name, timezone, retention_days, redaction_keys, region, created_at) VALUES (?1, ?1, 'UTC', 3650, '[]', 'default', ?2)",
    [id, now],
  );
  await exec("INSERT INTO placements (project_id, shard, pn, updated_at) VALUES (?1, ?2, ?3, ?4)", [
    id,
    shard,
    pn,
    now,
  ]);
  placed[id] = { shard, pn };
  return placed[id];
}
const INGEST = await createProject("prj_ingest", "EVENTS_2");
const BENCH = await createProject("prj_bench", "EVENTS_1");
const BYTES = await createProject("prj_bytes", BYTES_SHARD);

/** An admin key for a project: the bearer token. */
async function createKey(project, id) {
  const token = `tb_${randomBytes(32).toString("base64url")}`;
  await exec(
    "INSERT INTO api_keys (id, project_id, name, scope, key_hash, prefix, created_at) VALUES (?1, ?2, 'bench', 'admin', ?3, ?4, ?5)",
    [id, project, sha256(token), token.slice(0, 10), now],
  );
  return token;
}
const key = await createKey("prj_ingest", "key_ingest");
const benchKey = await createKey("prj_bench", "key_bench");
const bytesKey = await createKey("prj_bytes", "key_bytes");
const sessionToken = randomBytes(32).toString("base64url");
await exec(
  "INSERT INTO users (id, email, name, password_hash, created_at) VALUES ('usr_bench', 'bench@example.com', 'Bench', 'x', ?)",
  [now],
);
await exec(
  "INSERT INTO memberships (project_id, user_id, role, created_at) VALUES ('prj_bench', 'usr_bench', 'owner', ?)",
  [now],
);
await exec(
  "INSERT INTO sessions (id, user_id, token_hash, stage, created_at, last_seen_at, expires_at) VALUES ('ses_bench', 'usr_bench', ?, 'active', ?, ?, ?)",
  [sha256(sessionToken), now, now, now + 86400_000],
);

const tb = (pathname, init = {}) =>
  mf.dispatchFetch(`${TB}${pathname}`, {
    ...init,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json", ...init.headers },
  });
const tbBench = (pathname, init = {}) =>
  mf.dispatchFetch(`${TB}${pathname}`, { ...init, headers: { Authorization: `Bearer ${benchKey}`, ...init.headers } });

/**
 * What Trailbook stores for an event (src/services/ingest/prepare.ts), in the baseline's row layout
 * (test/bench/baseline.ts), so the baseline inserts exactly the same rows.
 */
function row(e, received) {
  const category = e.category ?? "activity";
  // The built-in redaction (the bench projects add no keys of their own), as prepareEvent applies it.
  const isSensitive = sensitiveKeyMatcher([]);
  const request = e.request && { ...redact(e.request, isSensitive) };
  for (const part of ["query", "body", "response_body"])
    if (request?.[part] !== undefined) request[part] = redactBody(request[part], isSensitive);
  const stored = {
    ...e,
    category,
    action: e.type.slice(e.type.lastIndexOf(".") + 1),
    ...(e.changes && { changes: redact(e.changes, isSensitive) }),
    ...(request && { request }),
    ...(e.metadata && { metadata: redact(e.metadata, isSensitive) }),
  };
  const data = canonicalize(stored);
  const actor = e.actor
    ? [e.actor.id ?? "", e.actor.name ?? "", e.actor.email?.toLowerCase() ?? ""]
    : [null, null, null];
  return [
    Date.parse(e.occurred_at),
    received,
    sha256(data),
    data,
    category,
    e.type,
    e.status ?? null,
    e.source ?? null,
    ...actor,
    e.actor?.type ?? null,
    e.entity?.type ?? null,
    e.organization_id ?? null,
  ];
}
/** The baseline's bare insert of `events` (their ids prefixed, so they are new) into the ingest project. */
async function baselineInsert(events) {
  const rows = events.map((e) => row({ ...e, id: `base_${e.id}` }, Date.now()));
  const t = performance.now();
  const response = await baseline.fetch(`${TB}/insert`, { method: "POST", body: JSON.stringify({ ...INGEST, rows }) });
  if (!response.ok) throw new Error(`baseline insert failed: ${await response.text()}`);
  await response.arrayBuffer();
  return performance.now() - t;
}

const results = {
  machine: { cpus: (await import("node:os")).cpus().length, node: process.version },
  options: {
    sizes: SIZES,
    runs: RUNS,
    bytes_events: BYTES_EVENTS,
    ...(ONLY && { only: ONLY }),
    ...(wants("load") && { load_seconds: LOAD_SECONDS, load_clients: LOAD_CLIENTS }),
  },
  load_seconds: {},
  ingest: {},
  sizes: {},
};
const table = [];
const line = (name, value, base, unit, better = "lower") => {
  const ratio = better === "lower" ? value / base : base / value;
  table.push({ name, trailbook: `${ms(value)} ${unit}`, baseline: `${ms(base)} ${unit}`, ratio: ms(ratio) });
  return { trailbook: ms(value), baseline: ms(base), ratio: ms(ratio), unit };
};

// ---- Ingest -----------------------------------------------------------------------------------
if (wants("ingest")) console.error("Ingest…");
const pool = demoEvents({ now, count: 6000, seed: 7 });
let serial = 0;
/** `n` demo events with ids not used before (the caller advances `serial`). */
const fresh = (n) =>
  Array.from({ length: n }, (_, i) => ({ ...pool[(serial + i) % pool.length], id: `ing_${serial + i}` }));
for (const size of wants("ingest") ? [100, 1000] : []) {
  const rounds = size === 100 ? 40 : 8;
  let tbTime = 0;
  let baseTime = 0;
  for (let i = 0; i < rounds; i++) {
    const events = fresh(size);
    serial += size;
    const t = performance.now();
    const response = await tb("/v1/events/batch", { method: "POST", body: JSON.stringify({ events }) });
    if (response.status !== 201) throw new Error(`batch failed: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
    tbTime += performance.now() - t;
    baseTime += await baselineInsert(events);
  }
  results.ingest[`batch_${size}`] = line(
    `batch ingest, ${size} per request (events/s)`,
    (rounds * size) / (tbTime / 1000),
    (rounds * size) / (baseTime / 1000),
    "ev/s",
    "higher",
  );
}
if (wants("ingest")) {
  const tbLat = [];
  const baseLat = [];
  for (let i = 0; i < 200; i++) {
    const [event] = fresh(1);
    serial++;
    const t = performance.now();
    await (await tb("/v1/events", { method: "POST", body: JSON.stringify(event) })).arrayBuffer();
    tbLat.push(performance.now() - t);
    baseLat.push(await baselineInsert([event]));
  }
  results.ingest.single_p50 = line("single event, p50 (ms)", pct(tbLat, 50), pct(baseLat, 50), "ms");
  results.ingest.single_p95 = line("single event, p95 (ms)", pct(tbLat, 95), pct(baseLat, 95), "ms");
}

if (wants("ingest")) {
  // The baseline's rows must be Trailbook's: same filter columns and actor, and each hash that of its data.
  const columns = (id) =>
    exec(
      "SELECT occurred_at, category, type, status, source, actor, actor_type, entity_type, organization FROM events WHERE pn = ?1 AND id = ?2",
      [INGEST.pn, id],
      INGEST.shard,
    );
  const hashes = await exec(
    "SELECT id, data, lower(hex(hash)) AS hash FROM events WHERE pn = ?1 AND id IN ('ing_0', 'base_ing_0', 'ing_7', 'base_ing_7')",
    [INGEST.pn],
    INGEST.shard,
  );
  for (const h of hashes)
    if (sha256(h.data) !== h.hash) throw new Error(`${h.id}: the stored hash is not the SHA-256 of its data`);
  const data = Object.fromEntries(hashes.map((h) => [h.id, h.data.replace('"id":"base_', '"id":"')]));
  if (hashes.length !== 4 || data.ing_0 !== data.base_ing_0 || data.ing_7 !== data.base_ing_7)
    throw new Error(`the baseline stores other data than Trailbook: ${JSON.stringify(data)}`);
  for (const id of ["ing_0", "ing_7"]) {
    const [[a], [b]] = await Promise.all([columns(id), columns(`base_${id}`)]);
    if (!a || !b || JSON.stringify(a) !== JSON.stringify(b))
      throw new Error(`the baseline stores other columns than Trailbook: ${JSON.stringify(a)} / ${JSON.stringify(b)}`);
  }
}

// ---- Single events under load -------------------------------------------------------------------
// LOAD_CLIENTS clients, each sending one event after another for LOAD_SECONDS, against the
// baseline's one-row insert under the same concurrency, and against the baseline sending
// Trailbook's own write batch for each event (/store: the shard's share of the cost, without the
// API around it), and against the baseline's one-row insert behind the same rate limit call
// Trailbook makes (/limited-insert). Each client has its own key: the per-key rate limit (1,000
// per 10 s) is not what this measures. Every acknowledged event must be stored.
if (wants("load")) {
  console.error(`Single events under load: ${LOAD_CLIENTS} clients, ${LOAD_SECONDS} s each side…`);
  const keys = [];
  for (let i = 0; i < LOAD_CLIENTS; i++) keys.push(await createKey("prj_ingest", `key_load_${i}`));
  /**
   * Runs the clients for `seconds`, adding to `into`; `send` answers whether the event was
   * acknowledged. `into.sent` numbers the events, so their ids stay new across rounds.
   */
  const tally = () => ({ sent: 0, acknowledged: [], failures: {}, latencies: [], seconds: 0 });
  const drive = async (seconds, prefix, send, into = tally()) => {
    const { latencies, acknowledged, failures } = into;
    const started = performance.now();
    const until = started + seconds * 1000;
    await Promise.all(
      keys.map(async (k) => {
        while (performance.now() < until) {
          const event = { ...pool[into.sent % pool.length], id: `${prefix}_${into.sent}` };
          into.sent++;
          const t = performance.now();
          const status = await send(k, event);
          if (status === "ok") {
            latencies.push(performance.now() - t);
            acknowledged.push(event.id);
          } else failures[status] = (failures[status] ?? 0) + 1;
        }
      }),
    );
    into.seconds += (performance.now() - started) / 1000;
    return into;
  };
  const toTrailbook = async (k, event) => {
    const r = await mf.dispatchFetch(`${TB}/v1/events`, {
      method: "POST",
      headers: { Authorization: `Bearer ${k}`, "Content-Type": "application/json" },
      body: JSON.stringify(event),
    });
    await r.arrayBuffer();
    return r.status === 201 ? "ok" : String(r.status);
  };
  const toBaselineAt = (pathname) => async (k, event) => {
    const r = await baseline.fetch(`${TB}${pathname}`, {
      method: "POST",
      body: JSON.stringify({ ...INGEST, key: k, rows: [row(event, Date.now())] }),
    });
    await r.arrayBuffer();
    return r.ok ? "ok" : String(r.status);
  };
  const toBaseline = toBaselineAt("/insert");
  const toStore = toBaselineAt("/store");
  const toLimited = toBaselineAt("/limited-insert");
  /** How many of `ids` the ingest project's shard holds. */
  const stored = async (ids) => {
    let n = 0;
    for (let i = 0; i < ids.length; i += 5000) {
      const [row] = await exec(
        "SELECT count(*) AS n FROM events WHERE pn = ?1 AND id IN (SELECT value FROM json_each(?2))",
        [INGEST.pn, JSON.stringify(ids.slice(i, i + 5000))],
        INGEST.shard,
      );
      n += row.n;
    }
    return n;
  };
  // The pool's dictionary values stored once, so the baseline's rows find theirs (as in its insert).
  for (let i = 0; i < pool.length; i += 1000) {
    const events = pool.slice(i, i + 1000).map((e, j) => ({ ...e, id: `dict_${i + j}` }));
    const response = await tb("/v1/events/batch", { method: "POST", body: JSON.stringify({ events }) });
    if (response.status !== 201) throw new Error(`batch failed: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  }
  // Untimed first: compiled code and warm caches on both sides, as a running service has them.
  await drive(Math.min(3, LOAD_SECONDS), "warm", toTrailbook);
  await drive(Math.min(3, LOAD_SECONDS), "base_warm", toBaseline);
  await drive(Math.min(3, LOAD_SECONDS), "store_warm", toStore);
  await drive(Math.min(3, LOAD_SECONDS), "limited_warm", toLimited);
  // The two sides take turns of at most 10 s, so a neighbour's burst on a shared machine falls on
  // both rather than on one.
  const runId = randomBytes(4).toString("hex");
  const t = tally();
  const b = tally();
  const w = tally();
  const l = tally();
  const turns = Math.ceil(LOAD_SECONDS / 10);
  for (let turn = 0; turn < turns; turn++) {
    await drive(LOAD_SECONDS / turns, `load_${runId}`, toTrailbook, t);
    await drive(LOAD_SECONDS / turns, `base_load_${runId}`, toBaseline, b);
    await drive(LOAD_SECONDS / turns, `store_load_${runId}`, toStore, w);
    await drive(LOAD_SECONDS / turns, `limited_load_${runId}`, toLimited, l);
  }
  await cpuProfile("load", () => drive(Math.min(5, LOAD_SECONDS), `profile_${runId}`, toTrailbook));
  t.rate = t.acknowledged.length / t.seconds;
  b.rate = b.acknowledged.length / b.seconds;
  w.rate = w.acknowledged.length / w.seconds;
  l.rate = l.acknowledged.length / l.seconds;
  /** Trailbook's rate beside one more baseline side; `counted`: what that side's acknowledgements were. */
  const againstSide = (side, counted, name) => ({
    sent: side.sent,
    [counted]: side.acknowledged.length,
    failures: side.failures,
    rate: line(`single events vs ${name} (events/s)`, t.rate, side.rate, "ev/s", "higher"),
  });
  const kept = await stored(t.acknowledged);
  if (kept !== t.acknowledged.length)
    throw new Error(`${t.acknowledged.length} events acknowledged under load but ${kept} stored`);
  results.load = {
    clients: LOAD_CLIENTS,
    seconds: LOAD_SECONDS,
    trailbook: { sent: t.sent, acknowledged: t.acknowledged.length, stored: kept, failures: t.failures },
    baseline: { sent: b.sent, inserted: b.acknowledged.length, failures: b.failures },
    rate: line(`single events, ${LOAD_CLIENTS} clients (events/s)`, t.rate, b.rate, "ev/s", "higher"),
    share_of_bare_rate: ms(t.rate / b.rate),
    // The same clients sending Trailbook's write batch through the bare Worker: what the shard
    // alone allows, whatever the API does.
    write_batch: againstSide(w, "stored", "the bare Worker sending its write batch"),
    share_of_write_batch_rate: ms(t.rate / w.rate),
    write_batch_share_of_bare_rate: ms(w.rate / b.rate),
    // The one-row insert behind the rate limit call every API request makes: locally wrangler
    // emulates the binding with a Durable Object on the Worker's thread.
    rate_limited_insert: againstSide(l, "inserted", "the bare insert behind the rate limit call"),
    share_of_rate_limited_insert_rate: ms(t.rate / l.rate),
    rate_limited_insert_share_of_bare_rate: ms(l.rate / b.rate),
  };
  for (const p of [50, 95, 99])
    results.load[`p${p}`] = line(
      `single events, ${LOAD_CLIENTS} clients, p${p} (ms)`,
      pct(t.latencies, p),
      pct(b.latencies, p),
      "ms",
    );
  const failed = Object.entries(t.failures);
  if (failed.length) console.error(`  Trailbook answered ${JSON.stringify(t.failures)} under load`);
}

// ---- Bytes per event ----------------------------------------------------------------------------
// The fixed corpus through the real API into prj_bytes, alone on its shard: everything the shard
// grows by (events, indexes, dictionary, full text, changes, counts, pickers) divided by the events.
if (BYTES_EVENTS > 0) {
  console.error(`Bytes per event: ${BYTES_EVENTS.toLocaleString("en-US")} corpus events into ${BYTES_SHARD}…`);
  const others = await exec("SELECT project_id FROM shard_projects WHERE project_id != 'prj_bytes'", [], BYTES_SHARD);
  if (others.length) throw new Error(`${BYTES_SHARD} holds other projects: ${others.map((o) => o.project_id)}`);
  const events = corpus({ count: BYTES_EVENTS });
  let jsonBytes = 0;
  for (const e of events) jsonBytes += Buffer.byteLength(row(e, 0)[3]);
  const t = performance.now();
  for (let i = 0; i < events.length; i += 1000) {
    const response = await mf.dispatchFetch(`${TB}/v1/events/batch`, {
      method: "POST",
      headers: { Authorization: `Bearer ${bytesKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ events: events.slice(i, i + 1000) }),
    });
    if (response.status !== 201) throw new Error(`corpus batch failed: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
    if (i % 10_000 === 0) process.stderr.write(`  ${i + 1000} events\r`);
  }
  const seconds = (performance.now() - t) / 1000;
  process.stderr.write("\n");
  const [{ n }] = await exec("SELECT count(*) AS n FROM events WHERE pn = ?1", [BYTES.pn], BYTES_SHARD);
  if (n !== BYTES_EVENTS) throw new Error(`${BYTES_SHARD} holds ${n} events of prj_bytes, not ${BYTES_EVENTS}`);
  const size = await shardSize(BYTES_SHARD);
  const grown = size - emptyShard;
  const perEvent = (bytes) => Math.round((bytes / n) * 10) / 10;
  results.bytes_per_event = {
    events: n,
    shard: BYTES_SHARD,
    average_json_bytes: perEvent(jsonBytes),
    bytes_per_event: perEvent(grown),
    empty_shard_bytes: emptyShard,
    shard_bytes: size,
    ingest_events_per_second: Math.round(n / seconds),
  };
  // Per table and index (bytes per event); dbstat when workerd's SQLite lets a Worker read it, else the file.
  let tables;
  try {
    tables = await exec(
      "SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC",
      [],
      BYTES_SHARD,
    );
    results.bytes_per_event.by_table_from = "D1 (dbstat)";
  } catch {
    const stats = await fileStats("prj_bytes");
    tables = stats.tables;
    results.bytes_per_event.by_table_from = `dbstat of the local file (${stats.bytes.toLocaleString("en-US")} bytes in pages)`;
  }
  results.bytes_per_event.by_table = Object.fromEntries(
    tables.map((r) => [r.name, perEvent(r.bytes)]).filter(([, bytes]) => bytes >= 0.1),
  );
}

// ---- Reads at each size -------------------------------------------------------------------------
const plans = {};
const FILTERS = {
  none: {},
  category: { category: "payment" },
  type: { type: "commission.updated" },
  type_prefix: { type: "commission.*" },
  status: { status: "failure" },
  source: { source: "api" },
  actor_id: { actor_id: "u_42" },
  actor_type: { actor_type: "customer" },
  entity_type: { entity_type: "commission" },
  entity_id: { entity_id: "e_77" },
  organization_id: { organization_id: "org_7" },
  request_id: { request_id: "req_123" },
  job_id: { job_id: "jid_9" },
  changed: { changed: "status" },
  time_range: { from: new Date(now - 7 * 86400_000).toISOString(), to: new Date(now - 6 * 86400_000).toISOString() },
  query_syntax: { query: "type:commission.* -source:api status:success" },
  full_text: { q: "approved" },
  // Under 1 in 1,000 rows: the list falls back from the recent window to the full-text index.
  full_text_rare: { q: "processed 777" },
};

/**
 * The generated rows' filter values: row i takes values[i % values.length]. The loader writes them
 * to the shard's dictionary first and stores their ids in the rows, as ingest does.
 */
const GENERATED = {
  category: {
    facet: 1,
    values: ["payment", "auth", "api_request", "email", "activity", "activity", "activity", "activity"],
  },
  type: {
    facet: 2,
    values: ["commission.updated", "commission.created", "payout.created", "user.login", "email.sent"],
  },
  status: { facet: 3, values: ["failure", ...Array(6).fill("success")] },
  source: { facet: 4, values: ["api", "dashboard", "system"] },
  actor_type: { facet: 6, values: ["customer", "team_member"] },
  entity_type: { facet: 7, values: ["commission"] },
  organization: { facet: 8, values: Array.from({ length: 50 }, (_, k) => `org_${k}`) },
  changed: { facet: 9, values: ["status", "amount", "amount", "amount", "amount", "amount"] },
};
const ACTORS = 1000;
const sqlText = (v) => `'${v.replace(/'/g, "''")}'`;
/** `CASE i % n WHEN 0 THEN … END` over a generated field's values, as text or as their dictionary ids. */
const generated = (field, ids) => {
  const { values } = GENERATED[field];
  if (values.length === 1) return ids ? String(ids.get(values[0])) : sqlText(values[0]);
  const branches = values.map((v, k) => `WHEN ${k} THEN ${ids ? ids.get(v) : sqlText(v)}`).join(" ");
  return `CASE i % ${values.length} ${branches} END`;
};

/** The facets the explorer's pickers read, per project (organization 0) and per organisation: from the rows. */
const FACET_SOURCES = [
  ...["category", "type", "status", "source", "actor", "actor_type", "entity_type", "organization"].map((column) => ({
    facet: column === "actor" ? 5 : GENERATED[column].facet,
    rows: `SELECT DISTINCT organization, ${column} AS value FROM events WHERE pn = ?1 AND ${column} IS NOT NULL`,
  })),
  {
    facet: 9,
    rows: "SELECT DISTINCT e.organization, c.field AS value FROM event_changes AS c JOIN events AS e ON e.seq = c.seq WHERE c.pn = ?1",
  },
];

async function loadTo(size) {
  const { shard, pn } = BENCH;
  const [{ n }] = await exec("SELECT count(*) AS n FROM events WHERE pn = ?1", [pn], shard);
  if (n >= size) return checkLoaded();
  // The dictionary and the actors first (INSERT OR IGNORE: a larger size loads again), then their
  // ids written into the statement, so a row costs no lookup for them.
  const pairs = Object.values(GENERATED).flatMap(({ facet, values }) => [...new Set(values)].map((v) => [facet, v]));
  await exec(
    "INSERT OR IGNORE INTO terms (facet, value) SELECT j.value ->> 0, j.value ->> 1 FROM json_each(?1) AS j",
    [JSON.stringify(pairs)],
    shard,
  );
  await exec(
    `INSERT OR IGNORE INTO actors (actor_id, name, email)
     WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ${ACTORS - 1}) SELECT 'u_' || i, '', '' FROM k`,
    [],
    shard,
  );
  const termRows = await exec("SELECT id, facet, value FROM terms", [], shard);
  const ids = (field) =>
    new Map(termRows.filter((t) => t.facet === GENERATED[field].facet).map((t) => [t.value, t.id]));
  const text = (field) => generated(field);
  const id = (field) => generated(field, ids(field));
  const action = `CASE i % 5 WHEN 0 THEN 'updated' WHEN 1 THEN 'created' WHEN 2 THEN 'created' WHEN 3 THEN 'login' ELSE 'sent' END`;
  const CHUNK = 50_000;
  for (let start = n; start < size; start += CHUNK) {
    const count = Math.min(CHUNK, size - start);
    // Generated rows spread over 90 days with the value mix the filters look for, in an order far
    // from time order (the worst case: history imported out of order). D1 binds JS numbers as
    // REAL, so the counter and the time are cast: ids and values must read `u_42`, not `u_42.0`.
    // `data` is the canonical JSON of exactly what the columns say (keys in order, the time as
    // toISOString writes it), so the virtual columns, full text and changed fields read the same
    // values; only the hash is random bytes, not the SHA-256 of `data`.
    await exec(
      `WITH RECURSIVE k(i) AS (SELECT CAST(?1 AS INTEGER) UNION ALL SELECT i + 1 FROM k WHERE i < ?2),
         g AS (SELECT i, CAST(?3 AS INTEGER) - (i * 7777) % 7776000000 AS t FROM k)
       INSERT INTO events (pn, occurred_at, received_at, category, type, status, source, actor, actor_type, entity_type, organization, hash, data)
       SELECT ?4, t, CAST(?3 AS INTEGER), ${id("category")}, ${id("type")}, ${id("status")}, ${id("source")},
         (SELECT id FROM actors WHERE actor_id = 'u_' || (i % ${ACTORS}) AND name = '' AND email = ''),
         ${id("actor_type")}, ${id("entity_type")}, ${id("organization")}, randomblob(32),
         json_object('action', ${action},
                     'actor', json_object('id', 'u_' || (i % ${ACTORS}), 'type', ${text("actor_type")}),
                     'category', ${text("category")},
                     'changes', CASE ${text("changed")} WHEN 'status' THEN json_object('status', json_array('pending', 'approved')) ELSE json_object('amount', json_array(1, 2)) END,
                     'entity', json_object('id', 'e_' || (i % 5000), 'type', ${text("entity_type")}),
                     'id', printf('evt_b%08d', i),
                     'job_id', 'jid_' || (i % 3000),
                     'occurred_at', strftime('%Y-%m-%dT%H:%M:%fZ', t / 1000.0, 'unixepoch'),
                     'organization_id', ${text("organization")},
                     'request', json_object('id', 'req_' || (i % 20000)),
                     'source', ${text("source")},
                     'status', ${text("status")},
                     'summary', CASE i % 4 WHEN 0 THEN 'Commission approved' ELSE 'Payout processed ' || i END,
                     'type', ${text("type")})
       FROM g`,
      [start + 1, start + count, now, pn],
      shard,
    );
    process.stderr.write(`  ${start + count} events\r`);
  }
  process.stderr.write("\n");
  const facetsFrom = performance.now();
  // What ingest writes beside the rows: the days (event_counts) and the pickers' values (event_facets).
  await exec("DELETE FROM event_counts WHERE pn = ?1", [pn], shard);
  await exec(
    "INSERT INTO event_counts (pn, day, n) SELECT pn, max(occurred_at, 0) / 86400000, count(*) FROM events WHERE pn = ?1 GROUP BY 1, 2",
    [pn],
    shard,
  );
  for (const { facet, rows } of FACET_SOURCES) {
    await exec(
      `WITH d AS MATERIALIZED (${rows})
       INSERT OR IGNORE INTO event_facets (pn, organization, facet, value)
       SELECT ?1, 0, ${facet}, value FROM d UNION SELECT ?1, organization, ${facet}, value FROM d WHERE organization IS NOT NULL`,
      [pn],
      shard,
    );
  }
  console.error(`  counts and pickers in ${Math.round((performance.now() - facetsFrom) / 1000)} s`);
  return checkLoaded();
}

/** A sample of loaded rows: every column and virtual column must say what `data` says. Their average size of `data`. */
async function checkLoaded() {
  const { shard, pn } = BENCH;
  const term = (column) => `(SELECT value FROM terms WHERE id = e.${column})`;
  const [{ last }] = await exec("SELECT max(seq) AS last FROM events", [], shard);
  const seqs = Array.from({ length: 200 }, () => 1 + Math.floor(Math.random() * last));
  const sample = await exec(
    `SELECT e.data, e.id, e.occurred_at, ${term("category")} AS category, ${term("type")} AS type, ${term("status")} AS status,
       ${term("source")} AS source, ${term("actor_type")} AS actor_type, ${term("entity_type")} AS entity_type,
       ${term("organization")} AS organization_id, (SELECT actor_id FROM actors WHERE id = e.actor) AS actor_id,
       e.entity_id, e.request_id, e.job_id, length(e.hash) AS hash_bytes,
       (SELECT group_concat(t.value) FROM event_changes AS c JOIN terms AS t ON t.id = c.field WHERE c.seq = e.seq) AS changed
     FROM events AS e WHERE e.pn = ?1 AND e.seq IN (SELECT value FROM json_each(?2))`,
    [pn, JSON.stringify(seqs)],
    shard,
  );
  const generatedRows = sample.filter((r) => r.id.startsWith("evt_b"));
  if (generatedRows.length < 100) throw new Error(`only ${generatedRows.length} of 200 sampled rows are loaded rows`);
  for (const r of generatedRows) {
    const d = JSON.parse(r.data);
    const want = {
      id: d.id,
      occurred_at: Date.parse(d.occurred_at),
      category: d.category,
      type: d.type,
      status: d.status,
      source: d.source,
      actor_type: d.actor.type,
      entity_type: d.entity.type,
      organization_id: d.organization_id,
      actor_id: d.actor.id,
      entity_id: d.entity.id,
      request_id: d.request.id,
      job_id: d.job_id,
      hash_bytes: 32,
      changed: Object.keys(d.changes).join(","),
    };
    const got = Object.fromEntries(Object.keys(want).map((k) => [k, r[k]]));
    if (canonicalize(d) !== r.data || JSON.stringify(got) !== JSON.stringify(want))
      throw new Error(`a loaded row disagrees with its data:\n${r.data}\n${JSON.stringify(got)}`);
  }
  return Math.round(generatedRows.reduce((sum, r) => sum + Buffer.byteLength(r.data), 0) / generatedRows.length);
}

async function timeList(filters, kind) {
  const params = new URLSearchParams(filters).toString();
  const tbLat = [];
  const baseLat = [];
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    const r = await tbBench(`/v1/events${kind === "count" ? "/count" : ""}?${params}`);
    if (!r.ok) throw new Error(`list failed ${r.status}: ${await r.text()}`);
    await r.arrayBuffer();
    tbLat.push(performance.now() - t);
    t = performance.now();
    await (
      await baseline.fetch(`${TB}/${kind}`, {
        method: "POST",
        body: JSON.stringify({ ...BENCH, project: "prj_bench", filters, tz: "UTC" }),
      })
    ).arrayBuffer();
    baseLat.push(performance.now() - t);
  }
  return { tb: tbLat, base: baseLat };
}

const readFigures = ["lists", "explorer", "export"].some(wants);
for (const size of readFigures ? SIZES : []) {
  console.error(`Loading ${size.toLocaleString("en-US")} events…`);
  const loading = performance.now();
  const dataBytes = await loadTo(size);
  await exec("ANALYZE", [], BENCH.shard);
  results.load_seconds[size] = Math.round((performance.now() - loading) / 1000);
  const out = { average_data_bytes: dataBytes, list: {}, count: {} };
  results.sizes[size] = out;
  if (values.plans && wants("lists")) {
    plans[size] = {};
    for (const [name, filters] of [...Object.entries(FILTERS), ["count", {}]]) {
      const kind = name === "count" ? "count" : "list";
      const response = await baseline.fetch(`${TB}/plan`, {
        method: "POST",
        body: JSON.stringify({ ...BENCH, project: "prj_bench", filters, tz: "UTC", kind }),
      });
      if (!response.ok) throw new Error(`plan of ${name} failed: ${await response.text()}`);
      plans[size][name] = (await response.json()).statements;
    }
  }
  for (const [name, filters] of wants("lists") ? Object.entries(FILTERS) : []) {
    const { tb: t, base: b } = await timeList(filters, "list");
    out.list[name] = {
      p50: line(`${size}: list ${name} p50 (ms)`, pct(t, 50), pct(b, 50), "ms"),
      p95: line(`${size}: list ${name} p95 (ms)`, pct(t, 95), pct(b, 95), "ms"),
    };
  }
  if (wants("lists")) {
    const c = await timeList({}, "count");
    out.count = { p95: line(`${size}: count (all) p95 (ms)`, pct(c.tb, 95), pct(c.base, 95), "ms") };
  }
  // The explorer page for 50 rows, as a signed-in owner, against the baseline's list query. The page
  // does not count: its counter is a fragment htmx loads next, timed on its own against the
  // baseline's count, so the count's cost shows where it went rather than vanishing.
  if (wants("explorer")) {
    // Enough pages that a 1 ms sampling profile splits each page's few milliseconds reliably.
    const PROFILED_PAGES = 100;
    const signedIn = { Cookie: `__Host-tb_session=${sessionToken}` };
    const page = async () => {
      const r = await mf.dispatchFetch(`${TB}/p/prj_bench/events?range=all`, { headers: signedIn });
      if (r.status !== 200) throw new Error(`explorer page answered ${r.status}`);
      return r.text();
    };
    const listQuery = async () =>
      (
        await baseline.fetch(`${TB}/list`, {
          method: "POST",
          body: JSON.stringify({ ...BENCH, project: "prj_bench", filters: {}, tz: "UTC" }),
        })
      ).arrayBuffer();
    // The page's D1 reads alone (test/bench/baseline.ts /page); the first records the session's statements.
    const pageReads = async () => {
      const r = await baseline.fetch(`${TB}/page`, {
        method: "POST",
        body: JSON.stringify({ ...BENCH, project: "prj_bench", token: sessionToken, tz: "UTC" }),
      });
      if (!r.ok) throw new Error(`the baseline's page reads failed: ${await r.text()}`);
      return r.arrayBuffer();
    };
    // The same page with nothing kept: a page soon after the last finds the session and membership
    // this isolate keeps (src/services/session-cache.ts); any write forgets them, here one refused
    // for its missing Origin (untimed).
    const coldPage = async () => {
      const r = await mf.dispatchFetch(`${TB}/p/prj_bench/settings`, { method: "POST", headers: signedIn });
      if (r.status !== 403) throw new Error(`the forgetting write answered ${r.status}`);
      await r.arrayBuffer();
      const t = performance.now();
      await page();
      return performance.now() - t;
    };
    await pageReads();
    const counterHref = /id="counter" hx-get="([^"]+)"/.exec(await page())?.[1]?.replaceAll("&amp;", "&");
    if (!counterHref) throw new Error("the explorer page names no counter fragment to load");
    // The page, the list query and the reads alone are timed in turn, then the page with nothing
    // kept, page after page, so the machine's slow moments fall on all of them alike.
    const pageLat = [];
    const listLat = [];
    const readsLat = [];
    const coldLat = [];
    for (let i = 0; i < Math.max(RUNS, EXPLORER_RUNS); i++) {
      for (const [run, into] of [
        [page, pageLat],
        [listQuery, listLat],
        [pageReads, readsLat],
      ]) {
        const t = performance.now();
        await run();
        into.push(performance.now() - t);
      }
      coldLat.push(await coldPage());
    }
    await cpuProfile(
      `explorer-${size}`,
      async () => {
        for (let i = 0; i < PROFILED_PAGES; i++) await page();
      },
      { "rendering a page of 50 rows (renderPage), per page": ["renderPage", PROFILED_PAGES] },
    );
    const fragmentLat = [];
    const countBase = [];
    for (let i = 0; i < RUNS; i++) {
      let t = performance.now();
      const r = await mf.dispatchFetch(`${TB}${counterHref}`, { headers: { ...signedIn, "HX-Request": "true" } });
      if (r.status !== 200) throw new Error(`explorer counter answered ${r.status}: ${await r.text()}`);
      await r.arrayBuffer();
      fragmentLat.push(performance.now() - t);
      t = performance.now();
      await (
        await baseline.fetch(`${TB}/count`, {
          method: "POST",
          body: JSON.stringify({ ...BENCH, project: "prj_bench", filters: {}, tz: "UTC" }),
        })
      ).arrayBuffer();
      countBase.push(performance.now() - t);
    }
    out.explorer = {
      p50: line(`${size}: explorer page, 50 rows, p50 (ms)`, pct(pageLat, 50), pct(listLat, 50), "ms"),
      p95: line(`${size}: explorer page, 50 rows, p95 (ms)`, pct(pageLat, 95), pct(listLat, 95), "ms"),
      // The page against its own D1 reads sent by the bare Worker, and those against the list query.
      reads_p95: line(
        `${size}: explorer page vs its D1 reads alone, p95 (ms)`,
        pct(pageLat, 95),
        pct(readsLat, 95),
        "ms",
      ),
      reads_p50: line(
        `${size}: explorer page vs its D1 reads alone, p50 (ms)`,
        pct(pageLat, 50),
        pct(readsLat, 50),
        "ms",
      ),
      reads_over_list_p95: ms(pct(readsLat, 95) / pct(listLat, 95)),
      cold_p95: line(`${size}: explorer page, nothing kept, p95 (ms)`, pct(coldLat, 95), pct(listLat, 95), "ms"),
      cold_p50: line(`${size}: explorer page, nothing kept, p50 (ms)`, pct(coldLat, 50), pct(listLat, 50), "ms"),
      counter_p95: line(
        `${size}: explorer counter fragment (all) p95 (ms)`,
        pct(fragmentLat, 95),
        pct(countBase, 95),
        "ms",
      ),
    };
  }

  if (size === SIZES[0] && wants("export")) {
    console.error("Export…");
    /** Starts a CSV export and waits for it; its time ends at the Worker's own finish time, not at the poll that saw it. */
    const runExport = async (filters) => {
      const started = Date.now();
      const created = await (
        await tbBench("/v1/exports", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ format: "csv", filters }),
        })
      ).json();
      let view = created;
      while (view.status !== "done" && view.status !== "failed") {
        await new Promise((r) => setTimeout(r, 200));
        view = await (await tbBench(`/v1/exports/${created.id}`)).json();
      }
      if (view.status !== "done") throw new Error(`export ${created.id} failed`);
      return { rows: view.row_count, seconds: (Date.parse(view.finished_at) - started) / 1000 };
    };
    const readBaseline = async (kind = "read") => {
      const t = performance.now();
      const read = await (
        await baseline.fetch(`${TB}/${kind}`, { method: "POST", body: JSON.stringify(BENCH) })
      ).json();
      return read.rows / ((performance.now() - t) / 1000);
    };
    // One untimed run of each first: the first export after loading runs on a cold page cache and
    // unoptimised code, and measured 20–30 % slower than the ones after it.
    await runExport({});
    await readBaseline();
    const EXPORT_RUNS = 5;
    await readBaseline("read-format");
    await readBaseline("read-format-upload");
    const tbRates = [];
    const baseRates = [];
    const formatRates = [];
    const uploadRates = [];
    let rows = 0;
    for (let i = 0; i < EXPORT_RUNS; i++) {
      const run = await runExport({});
      rows = run.rows;
      tbRates.push(run.rows / run.seconds);
      baseRates.push(await readBaseline());
      formatRates.push(await readBaseline("read-format"));
      uploadRates.push(await readBaseline("read-format-upload"));
    }
    results.export = {
      rows,
      throughput: line(
        `${size}: export CSV, median of ${EXPORT_RUNS} (rows/s)`,
        pct(tbRates, 50),
        pct(baseRates, 50),
        "rows/s",
        "higher",
      ),
      against_read_and_format: line(
        `${size}: export CSV against read, parse and CSV only (rows/s)`,
        pct(tbRates, 50),
        pct(formatRates, 50),
        "rows/s",
        "higher",
      ),
      // The same, also writing the CSV to R2 as one multipart upload: all an export must do.
      against_read_format_and_upload: line(
        `${size}: export CSV against read, parse, CSV and R2 upload only (rows/s)`,
        pct(tbRates, 50),
        pct(uploadRates, 50),
        "rows/s",
        "higher",
      ),
    };

    await cpuProfile("export", () => runExport({}));

    // Memory of the Worker isolate. Sampling Runtime.getHeapUsage while the export runs does not
    // work: the running export holds the isolate, and the inspector is answered only when its
    // queue message ends (seconds later, after the export). A paused isolate serves the inspector
    // itself, so it is paused where a step holds the most, just before each part upload, and
    // measured there: V8's used heap plus ArrayBuffer backing stores (the part bytes), before and
    // after the full GC of a heap snapshot.
    const session = await inspect(inspectorPort);
    const scripts = [];
    session.on("Debugger.scriptParsed", (script) => scripts.push(script));
    session.on("HeapProfiler.addHeapSnapshotChunk", () => {});
    await session.call("Debugger.enable");
    await session.call("HeapProfiler.enable");
    const bundle = scripts.find((script) => /^file:.*\/index\.js$/.test(script.url));
    const uploads = bundle
      ? (await session.call("Debugger.searchInContent", { scriptId: bundle.scriptId, query: "upload.uploadPart(" }))
          .result
      : [];
    if (uploads.length === 0)
      throw new Error("no upload.uploadPart( call in the Worker's bundle to pause at (src/services/exports/run.ts)");
    for (const { lineNumber } of uploads)
      await session.call("Debugger.setBreakpoint", { location: { scriptId: bundle.scriptId, lineNumber } });
    const heap = async () => {
      const u = await session.call("Runtime.getHeapUsage");
      return u.usedSize + (u.backingStorageSize ?? 0);
    };
    const liveHeap = async () => {
      await session.call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
      return heap();
    };
    // The smaller export: 20,000 rows, or a fifth of a smaller size.
    const [{ occurred_at: cut }] = await exec(
      "SELECT occurred_at FROM events WHERE pn = ?1 ORDER BY occurred_at DESC LIMIT 1 OFFSET ?2",
      [BENCH.pn, Math.min(20_000, Math.floor(size / 5)) - 1],
      BENCH.shard,
    );
    results.export.memory = [];
    for (const filters of [{ from: new Date(cut).toISOString() }, {}]) {
      const idle = await liveHeap();
      const peak = { parts: 0, live: 0, allocated: 0 };
      session.on("Debugger.paused", async () => {
        peak.allocated = Math.max(peak.allocated, await heap());
        peak.live = Math.max(peak.live, await liveHeap());
        peak.parts++;
        await session.call("Debugger.resume");
      });
      const run = await runExport(filters);
      results.export.memory.push({
        rows: run.rows,
        parts: peak.parts,
        idle_live_bytes: idle,
        peak_live_bytes: peak.live,
        peak_allocated_bytes: peak.allocated,
      });
    }
    await session.call("Debugger.disable");
    session.close();
  }
}

const width = Math.max(...table.map((r) => r.name.length));
console.log(`\n${"figure".padEnd(width)}  ${"trailbook".padStart(14)}  ${"baseline".padStart(14)}  ratio`);
for (const r of table)
  console.log(`${r.name.padEnd(width)}  ${r.trailbook.padStart(14)}  ${r.baseline.padStart(14)}  ${r.ratio}`);
console.log("");
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
for (const m of results.export?.memory ?? []) {
  console.log(
    `export memory, ${m.rows.toLocaleString("en-US")} rows (${m.parts} part uploads): isolate heap at a part upload at most ${mib(m.peak_live_bytes)} live, ${mib(m.peak_allocated_bytes)} with garbage; ${mib(m.idle_live_bytes)} live before`,
  );
}
results.run_seconds = Math.round((performance.now() - began) / 1000);
if (values.plans) writeFileSync(path.resolve(ROOT, values.plans), `${JSON.stringify(plans, null, 2)}\n`);
const bytes = results.bytes_per_event;
if (bytes) {
  console.log(
    `\nbytes per event, ${bytes.events.toLocaleString("en-US")} corpus events (canonical JSON ${bytes.average_json_bytes} bytes on average) alone on ${bytes.shard}: ${bytes.bytes_per_event} (${bytes.empty_shard_bytes.toLocaleString("en-US")} → ${bytes.shard_bytes.toLocaleString("en-US")} bytes; stored through the API at ${bytes.ingest_events_per_second} events/s)`,
  );
  console.log(`  per table and index, from ${bytes.by_table_from}:`);
  for (const [name, perEvent] of Object.entries(bytes.by_table)) console.log(`  ${name.padEnd(32)} ${perEvent}`);
}
writeFileSync(path.resolve(ROOT, values.out), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nJSON: ${values.out}`);
await mf.dispose();
if (values["keep-state"]) console.log(`local databases kept in ${state}`);
