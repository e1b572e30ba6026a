// npm run bench [-- --sizes 100000,1000000 --out test/bench/results.json]
//
// Runs Trailbook's real Worker (`wrangler dev`: workerd with local D1, R2 and Queues) and a bare
// baseline Worker (test/bench/baseline.ts, also under `wrangler dev`) on the same local D1 database, and
// reports each figure beside its baseline with the ratio. Ratios hold on a shared machine where
// absolute times drift.

import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import canonicalize from "canonicalize";
import { demoEvents } from "../../scripts/lib/demo-events.mjs";

const ROOT = path.resolve(import.meta.dirname, "../..");
const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "100000,1000000" },
    out: { type: "string", default: "test/bench/results.json" },
    runs: { type: "string", default: "30" },
  },
});
const SIZES = values.sizes.split(",").map(Number);
const RUNS = Number(values.runs);
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

/** `wrangler dev` on a bundle; both Workers persist to one directory, so they share the D1 database. */
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

async function exec(sql, params = []) {
  const response = await baseline.fetch(`${TB}/exec`, { method: "POST", body: JSON.stringify({ sql, params }) });
  if (!response.ok) throw new Error(`exec failed: ${await response.text()}\n${sql.slice(0, 200)}`);
  return (await response.json()).results;
}

console.error("Applying migrations…");
for (const file of readdirSync(path.join(ROOT, "migrations"))
  .filter((f) => f.endsWith(".sql"))
  .sort()) {
  for (const statement of readFileSync(path.join(ROOT, "migrations", file), "utf8").split("--> statement-breakpoint")) {
    const sql = statement
      .split("\n")
      .filter((l) => !l.trim().startsWith("--"))
      .join("\n")
      .trim();
    if (sql) await exec(sql);
  }
}

// Two projects: one for ingest figures, one that grows to the listed sizes.
const now = Date.now();
const key = `tb_${randomBytes(32).toString("base64url")}`;
for (const project of ["prj_ingest", "prj_bench"]) {
  await exec(
    "INSERT INTO projects (id, name, timezone, retention_days, redaction_keys, created_at) VALUES (?, ?, 'UTC', 3650, '[]', ?)",
    [project, project, now],
  );
}
await exec(
  "INSERT INTO api_keys (id, project_id, name, scope, key_hash, prefix, created_at) VALUES ('key_ingest', 'prj_ingest', 'bench', 'admin', ?, 'tb_bench', ?)",
  [sha256(key), now],
);
const benchKey = `tb_${randomBytes(32).toString("base64url")}`;
await exec(
  "INSERT INTO api_keys (id, project_id, name, scope, key_hash, prefix, created_at) VALUES ('key_bench', 'prj_bench', 'bench', 'admin', ?, 'tb_benc2', ?)",
  [sha256(benchKey), now],
);
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

/** The columns Trailbook stores for an event, so the baseline inserts exactly the same rows. */
function row(project, e, received) {
  const occurred = Date.parse(e.occurred_at);
  const stored = { ...e, action: e.type.slice(e.type.lastIndexOf(".") + 1) };
  const data = canonicalize(stored);
  const r = e.request ?? {};
  return [
    project,
    e.id,
    occurred,
    received,
    data,
    sha256(data),
    e.category,
    e.type,
    stored.action,
    e.status ?? null,
    e.source ?? null,
    e.actor?.type ?? null,
    e.actor?.id ?? null,
    e.actor?.name ?? null,
    e.actor?.email?.toLowerCase() ?? null,
    e.entity?.type ?? null,
    e.entity?.id ?? null,
    e.organization_id ?? null,
    r.id ?? null,
    e.job_id ?? null,
    r.method ?? null,
    r.path ?? null,
    r.status_code ?? null,
  ];
}

const results = {
  machine: { cpus: (await import("node:os")).cpus().length, node: process.version },
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
console.error("Ingest…");
const pool = demoEvents({ now, count: 6000, seed: 7 });
let serial = 0;
/** `n` demo events with ids not used before (the caller advances `serial`). */
const fresh = (n) =>
  Array.from({ length: n }, (_, i) => ({ ...pool[(serial + i) % pool.length], id: `ing_${serial + i}` }));
for (const size of [100, 1000]) {
  const rounds = size === 100 ? 40 : 8;
  let tbTime = 0;
  let baseTime = 0;
  for (let i = 0; i < rounds; i++) {
    const events = fresh(size);
    serial += size;
    let t = performance.now();
    const response = await tb("/v1/events/batch", { method: "POST", body: JSON.stringify({ events }) });
    if (response.status !== 201) throw new Error(`batch failed: ${response.status} ${await response.text()}`);
    tbTime += performance.now() - t;
    const rows = events.map((e) => row("prj_ingest", { ...e, id: `base_${e.id}` }, Date.now()));
    t = performance.now();
    const b = await baseline.fetch(`${TB}/insert`, { method: "POST", body: JSON.stringify({ rows }) });
    if (!b.ok) throw new Error(`baseline insert failed: ${await b.text()}`);
    baseTime += performance.now() - t;
  }
  results.ingest[`batch_${size}`] = line(
    `batch ingest, ${size} per request (events/s)`,
    (rounds * size) / (tbTime / 1000),
    (rounds * size) / (baseTime / 1000),
    "ev/s",
    "higher",
  );
}
{
  const tbLat = [];
  const baseLat = [];
  for (let i = 0; i < 200; i++) {
    const [event] = fresh(1);
    serial++;
    let t = performance.now();
    await (await tb("/v1/events", { method: "POST", body: JSON.stringify(event) })).arrayBuffer();
    tbLat.push(performance.now() - t);
    t = performance.now();
    await (
      await baseline.fetch(`${TB}/insert`, {
        method: "POST",
        body: JSON.stringify({ rows: [row("prj_ingest", { ...event, id: `base_${event.id}` }, Date.now())] }),
      })
    ).arrayBuffer();
    baseLat.push(performance.now() - t);
  }
  results.ingest.single_p50 = line("single event, p50 (ms)", pct(tbLat, 50), pct(baseLat, 50), "ms");
  results.ingest.single_p95 = line("single event, p95 (ms)", pct(tbLat, 95), pct(baseLat, 95), "ms");
}

// ---- Reads at each size -------------------------------------------------------------------------
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

async function loadTo(size) {
  const [{ n }] = await exec("SELECT count(*) AS n FROM events WHERE project_id = 'prj_bench'");
  const CHUNK = 50_000;
  for (let start = n; start < size; start += CHUNK) {
    const count = Math.min(CHUNK, size - start);
    // Generated rows spread over 90 days with the value mix the filters look for, in an order far
    // from time order (the worst case: history imported out of order). D1 binds JS numbers as
    // REAL, so the counter is cast: ids and values must read `u_42`, not `u_42.0`.
    await exec(
      `WITH RECURSIVE k(i) AS (SELECT CAST(?1 AS INTEGER) UNION ALL SELECT i + 1 FROM k WHERE i < ?2)
       INSERT INTO events (project_id, id, occurred_at, received_at, category, type, action, status, source, actor_type, actor_id, entity_type, entity_id, organization_id, request_id, job_id, data, hash)
       SELECT 'prj_bench', printf('evt_b%08d', i), ?3 - (i * 7777) % 7776000000, ?3,
         CASE i % 8 WHEN 0 THEN 'payment' WHEN 1 THEN 'auth' WHEN 2 THEN 'api_request' WHEN 3 THEN 'email' ELSE 'activity' END,
         CASE i % 5 WHEN 0 THEN 'commission.updated' WHEN 1 THEN 'commission.created' WHEN 2 THEN 'payout.created' WHEN 3 THEN 'user.login' ELSE 'email.sent' END,
         'x', CASE i % 7 WHEN 0 THEN 'failure' ELSE 'success' END, CASE i % 3 WHEN 0 THEN 'api' WHEN 1 THEN 'dashboard' ELSE 'system' END,
         CASE i % 2 WHEN 0 THEN 'customer' ELSE 'team_member' END, 'u_' || (i % 1000), 'commission', 'e_' || (i % 5000), 'org_' || (i % 50),
         'req_' || (i % 20000), 'jid_' || (i % 3000),
         json_object('id', printf('evt_b%08d', i), 'occurred_at', strftime('%Y-%m-%dT%H:%M:%fZ', (?3 - (i * 7777) % 7776000000) / 1000.0, 'unixepoch'),
                     'category', CASE i % 8 WHEN 0 THEN 'payment' WHEN 1 THEN 'auth' WHEN 2 THEN 'api_request' WHEN 3 THEN 'email' ELSE 'activity' END,
                     'type', CASE i % 5 WHEN 0 THEN 'commission.updated' WHEN 1 THEN 'commission.created' WHEN 2 THEN 'payout.created' WHEN 3 THEN 'user.login' ELSE 'email.sent' END,
                     'action', 'x', 'status', CASE i % 7 WHEN 0 THEN 'failure' ELSE 'success' END,
                     'actor', json_object('id', 'u_' || (i % 1000), 'type', CASE i % 2 WHEN 0 THEN 'customer' ELSE 'team_member' END), 'organization_id', 'org_' || (i % 50),
                     'summary', CASE i % 4 WHEN 0 THEN 'Commission approved' ELSE 'Payout processed ' || i END,
                     'changes', CASE i % 6 WHEN 0 THEN json_object('status', json_array('pending', 'approved')) ELSE json_object('amount', json_array(1, 2)) END),
         'h'
       FROM k`,
      [start + 1, start + count, now],
    );
    process.stderr.write(`  ${start + count} events\r`);
  }
  process.stderr.write("\n");
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
        body: JSON.stringify({ project: "prj_bench", filters, tz: "UTC" }),
      })
    ).arrayBuffer();
    baseLat.push(performance.now() - t);
  }
  return { tb: tbLat, base: baseLat };
}

for (const size of SIZES) {
  console.error(`Loading ${size.toLocaleString("en-US")} events…`);
  await loadTo(size);
  // The loader writes rows directly, so it also writes the days ingest keeps in event_counts.
  await exec("DELETE FROM event_counts WHERE project_id = 'prj_bench'");
  await exec(
    "INSERT INTO event_counts (project_id, day, n) SELECT project_id, max(occurred_at, 0) / 86400000, count(*) FROM events WHERE project_id = 'prj_bench' GROUP BY 1, 2",
  );
  await exec("ANALYZE");
  const out = { list: {}, count: {} };
  results.sizes[size] = out;
  for (const [name, filters] of Object.entries(FILTERS)) {
    const { tb: t, base: b } = await timeList(filters, "list");
    out.list[name] = {
      p50: line(`${size}: list ${name} p50 (ms)`, pct(t, 50), pct(b, 50), "ms"),
      p95: line(`${size}: list ${name} p95 (ms)`, pct(t, 95), pct(b, 95), "ms"),
    };
  }
  const c = await timeList({}, "count");
  out.count = { p95: line(`${size}: count (all) p95 (ms)`, pct(c.tb, 95), pct(c.base, 95), "ms") };
  // The explorer page for 50 rows, as a signed-in owner, against the baseline's list query. The page
  // does not count: its counter is a fragment htmx loads next, timed on its own against the
  // baseline's count, so the count's cost shows where it went rather than vanishing.
  const signedIn = { Cookie: `__Host-tb_session=${sessionToken}` };
  const pageLat = [];
  let counterHref;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const r = await mf.dispatchFetch(`${TB}/p/prj_bench/events?range=all`, { headers: signedIn });
    if (r.status !== 200) throw new Error(`explorer page answered ${r.status}`);
    const html = await r.text();
    pageLat.push(performance.now() - t);
    counterHref ??= /id="counter" hx-get="([^"]+)"/.exec(html)?.[1]?.replaceAll("&amp;", "&");
  }
  if (!counterHref) throw new Error("the explorer page names no counter fragment to load");
  const base = await timeList({}, "list");
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
        body: JSON.stringify({ project: "prj_bench", filters: {}, tz: "UTC" }),
      })
    ).arrayBuffer();
    countBase.push(performance.now() - t);
  }
  out.explorer = {
    p95: line(`${size}: explorer page, 50 rows, p95 (ms)`, pct(pageLat, 95), pct(base.base, 95), "ms"),
    counter_p95: line(
      `${size}: explorer counter fragment (all) p95 (ms)`,
      pct(fragmentLat, 95),
      pct(countBase, 95),
      "ms",
    ),
  };

  if (size === SIZES[0]) {
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
        await baseline.fetch(`${TB}/${kind}`, { method: "POST", body: JSON.stringify({ project: "prj_bench" }) })
      ).json();
      return read.rows / ((performance.now() - t) / 1000);
    };
    // One untimed run of each first: the first export after loading runs on a cold page cache and
    // unoptimised code, and measured 20–30 % slower than the ones after it.
    await runExport({});
    await readBaseline();
    const EXPORT_RUNS = 5;
    await readBaseline("read-format");
    const tbRates = [];
    const baseRates = [];
    const formatRates = [];
    let rows = 0;
    for (let i = 0; i < EXPORT_RUNS; i++) {
      const run = await runExport({});
      rows = run.rows;
      tbRates.push(run.rows / run.seconds);
      baseRates.push(await readBaseline());
      formatRates.push(await readBaseline("read-format"));
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
    };

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
      "SELECT occurred_at FROM events WHERE project_id = 'prj_bench' ORDER BY occurred_at DESC LIMIT 1 OFFSET ?",
      [Math.min(20_000, Math.floor(size / 5)) - 1],
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
writeFileSync(path.resolve(ROOT, values.out), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nJSON: ${values.out}`);
await mf.dispose();
rmSync(work, { recursive: true, force: true });
