import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { bootstrapState, committedImportRows, type DevServer, queryState, ROOT, startDev, stopDev } from "./dev-server";
import { WebhookReceiver } from "./webhook-receiver";

// Nothing is lost when the process dies. `wrangler dev` (its whole process group: wrangler, workerd,
// esbuild) is killed with SIGKILL while a 100,000-row import, background exports, single-event ingest
// and a burst of webhook deliveries are under way, and started again on the same local state. Local
// queues live in memory, so every message in flight dies with the process; what brings the work back
// is the every-2-minutes sweep, run here by hand every 2 s with STALLED_AFTER_SECONDS=2.
//
// Timing: locally, while a queue consumer makes one binding call after another (a task message runs
// steps for up to 10 s), other invocations' D1 calls wait until it ends, so progress cannot be watched
// during a step. The kills are timed from when the work was started, and what each kill hit is proven
// afterwards from the stored state; a kill that missed its moment is simply tried again.

const IMPORT_ROWS = 100_000;
/**
 * Rows of 2 KB, so an export makes seven 5 MiB parts in three steps after the one that opens the
 * upload (PARTS_PER_STEP): a kill has two of them to land in after a step has committed.
 */
const EXPORT_ROWS = 16_000;
const SWEEP_CRON = "*/2 * * * *";

type TaskView = {
  id: string;
  status: string;
  processed: number;
  total: number | null;
  success_count: number;
  failure_count: number;
  errors: unknown[];
};
type ExportView = { id: string; status: string; row_count: number | null; task_id: string };

let state = "";
let key = "";
let projectId = "";
let server: DevServer | undefined;
const receiver = new WebhookReceiver({
  delayMs: 60,
  // A quarter of the sendouts are refused once, so some wait in `retry` for a delayed message.
  refuseFirst: (id) => (createHash("sha256").update(id).digest()[0] ?? 0) % 4 === 0,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function base(): string {
  if (!server) throw new Error("no server running");
  return server.url;
}

/** Everything the running server printed, as a test artifact. */
function saveOutput(): void {
  const dir = path.join(ROOT, "test-results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "crash-wrangler.log"), server?.output() ?? "");
}

async function call(method: string, route: string, body?: unknown, contentType = "application/json") {
  return fetch(`${base()}${route}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body !== undefined && { "Content-Type": contentType }) },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function json<T>(method: string, route: string, body?: unknown): Promise<T> {
  const response = await call(method, route, body);
  if (response.status >= 300) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const task = (id: string) => json<TaskView>("GET", `/v1/tasks/${id}`);
const importedRows = async () => (await json<{ count: number }>("GET", "/v1/events/count?entity_type=crash_row")).count;

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      saveOutput();
      throw new Error(`timed out waiting for ${what} (wrangler's output: test-results/crash-wrangler.log)`);
    }
    await sleep(250);
  }
}

/** The cron job that re-queues stalled work, without waiting for it. */
function sweep(): void {
  fetch(`${base()}/cdn-cgi/local/scheduled?cron=${encodeURIComponent(SWEEP_CRON)}`)
    .then((r) => r.body?.cancel())
    .catch(() => undefined);
}

/** SIGKILL to the whole process group, then the same state on a new port. */
async function crashAndRestart(vars: Record<string, string>): Promise<void> {
  if (!server) throw new Error("no server running");
  await stopDev(server, "SIGKILL");
  server = undefined;
  server = await startDev(state, vars);
}

/** Single events posted one after another, each matching the webhook endpoint; remembers which got a 201. */
class Ingest {
  readonly attempted = new Set<string>();
  readonly acknowledged = new Set<string>();
  private next = 0;
  private running = false;
  private workers: Promise<void>[] = [];

  start(): void {
    this.running = true;
    this.workers = [0, 1].map(async () => {
      while (this.running) {
        const id = `ping_${this.next++}`;
        this.attempted.add(id);
        try {
          const response = await call("POST", "/v1/events", { id, type: "crash.ping", summary: `Ping ${id}` });
          if (response.status === 201) this.acknowledged.add(id);
          await response.body?.cancel();
        } catch {
          // No server, or it died under this request: the event may or may not be stored.
        }
        await sleep(150);
      }
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }
}

async function expectAcknowledgedReadable(ingest: Ingest): Promise<void> {
  // The acknowledgements to check are those given before the listing starts: ingest goes on
  // meanwhile, and an event acknowledged after its page was read is not missing.
  const acknowledged = [...ingest.acknowledged];
  const stored = new Set<string>();
  let cursor: string | null = null;
  do {
    const page: { data: { id: string }[]; next_cursor: string | null } = await json(
      "GET",
      `/v1/events?type=crash.ping&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    for (const e of page.data) stored.add(e.id);
    cursor = page.next_cursor;
  } while (cursor);
  const missing = acknowledged.filter((id) => !stored.has(id));
  expect(missing, "events answered 201 before a kill").toEqual([]);
}

afterAll(async () => {
  if (server) await stopDev(server, "SIGKILL");
  await receiver.close();
  if (state) rmSync(state, { recursive: true, force: true });
});

it("loses and duplicates nothing when wrangler dev is killed mid-import, mid-export and mid-delivery", async () => {
  const started = Date.now();
  const mark = (what: string) => console.log(`crash test ${((Date.now() - started) / 1000).toFixed(1)}s: ${what}`);

  state = mkdtempSync(path.join(tmpdir(), "trailbook-crash-"));
  ({ apiKey: key, projectId } = bootstrapState(state));
  // The same secrets key after each restart: webhook secrets are stored sealed with it.
  const vars = { ENVIRONMENT: "development", SECRETS_KEY: randomBytes(32).toString("hex"), STALLED_AFTER_SECONDS: "2" };
  server = await startDev(state, vars);

  const endpoint = await json<{ secret: string }>("POST", "/v1/webhooks", {
    url: await receiver.start(),
    event_types: ["crash.*"],
  });
  receiver.secret = endpoint.secret;

  const now = Date.now();
  const pad = randomBytes(1500).toString("base64");
  for (let b = 0; b < EXPORT_ROWS / 1000; b++) {
    const events = Array.from({ length: 1000 }, (_, i) => {
      const n = b * 1000 + i;
      return {
        id: `exp_${n}`,
        type: "seed.row",
        category: "crash_export",
        occurred_at: new Date(now - 3_600_000 - n * 1000).toISOString(),
        metadata: { pad },
      };
    });
    await json("POST", "/v1/events/batch", { events });
  }
  // Rows without ids: the importer names them after the task and the line, so a step that runs again
  // stores nothing twice. Each carries its line number as entity id, to count distinct rows at the end.
  const lines: string[] = [];
  for (let n = 0; n < IMPORT_ROWS; n++)
    lines.push(
      JSON.stringify({
        type: "import.row",
        category: "crash_import",
        occurred_at: new Date(now - 86_400_000 - n * 1000).toISOString(),
        summary: `Imported row ${n}`,
        entity: { type: "crash_row", id: String(n) },
      }),
    );
  const file = `${lines.join("\n")}\n`;
  mark("seeded");

  const ingest = new Ingest();
  ingest.start();
  await sleep(3_000); // a backlog of deliveries, some of them waiting to be retried

  // Kill 1, in the middle of an import step: the import is at least 10 % done, not finished, and
  // holds rows that its checkpoint does not count yet (stored by the step the kill cut short).
  let importTask: TaskView | undefined;
  let cutShort: { committed: number; stored: number } | undefined;
  let posted = false;
  for (let attempt = 0; attempt < 8 && !cutShort; attempt++) {
    if (!posted) {
      // Its answer may wait for the end of the first 10 s of steps (see above); the kill does not.
      call("POST", "/v1/imports", file, "application/x-ndjson").catch(() => undefined);
      posted = true;
      // The upload of the whole file takes a while on a loaded machine: kill once a first step has
      // committed, in the middle of the ones that follow.
      await until("the import's first step", async () => committedImportRows(state) || undefined, 60_000);
    } else {
      // The sweep brings the step back; a second later it is in the middle of a chunk.
      sweep();
      await sleep(1_000);
    }
    await crashAndRestart(vars);
    await expectAcknowledgedReadable(ingest);
    const imports = await json<{ data: TaskView[] }>("GET", "/v1/tasks?type=import");
    // Killed before the upload was taken (a loaded machine): nothing was acknowledged; send it again.
    if (imports.data.length === 0) {
      posted = false;
      continue;
    }
    expect(imports.data).toHaveLength(1);
    importTask = imports.data[0];
    if (!importTask) throw new Error("no import task");
    const stored = await importedRows();
    mark(`kill ${attempt + 1}: import committed ${importTask.processed}, stored ${stored}`);
    // On a loaded machine the kill may come before the first step started: a miss, tried again.
    expect(["enqueued", "in_progress"]).toContain(importTask.status);
    expect(importTask.processed).toBeLessThan(IMPORT_ROWS);
    expect(stored).toBeGreaterThanOrEqual(importTask.processed);
    if (importTask.processed >= IMPORT_ROWS / 10 && stored > importTask.processed)
      cutShort = { committed: importTask.processed, stored };
  }
  expect(cutShort, "a kill in the middle of an import step").toBeDefined();
  if (!importTask) throw new Error("no import task");

  // Kill 2, in the middle of an export step (a part committed, more to come) while the import waits
  // half done for its lost message and deliveries go on. The export runs alone, right after it is
  // asked for; a kill that came too early or too late is tried again with a new export.
  const exportIds: string[] = [];
  let delay = 700;
  let exportCutShort: TaskView | undefined;
  for (let attempt = 0; attempt < 6 && !exportCutShort; attempt++) {
    call("POST", "/v1/exports", { format: "jsonl", gzip: false, filters: { category: "crash_export" } }).catch(
      () => undefined,
    );
    await sleep(delay);
    await crashAndRestart(vars);
    await expectAcknowledgedReadable(ingest);
    const fresh = (await json<{ data: ExportView[] }>("GET", "/v1/exports")).data.filter(
      (e) => !exportIds.includes(e.id),
    );
    expect(fresh.length).toBeLessThanOrEqual(1);
    const made = fresh[0];
    if (!made) {
      delay *= 1.5;
      continue;
    }
    exportIds.push(made.id);
    const t = await task(made.task_id);
    mark(`export kill after ${Math.round(delay)} ms: ${t.status}, ${t.processed} of ${EXPORT_ROWS} rows`);
    if (t.status === "done") delay *= 0.6;
    else if (t.processed === 0) delay *= 1.5;
    else exportCutShort = t;
  }
  expect(exportCutShort, "a kill in the middle of an export").toBeDefined();
  const importAtExportKill = await task(importTask.id);
  expect(importAtExportKill.status).toBe("in_progress");
  expect(importAtExportKill.processed).toBeLessThan(IMPORT_ROWS);
  // Sendouts whose messages died with the process: never sent, and refused once then waiting for a
  // delayed retry that will not come.
  const lost = {
    pending: (await json<{ data: unknown[] }>("GET", "/v1/webhook-sendouts?status=pending")).data.length,
    retry: (await json<{ data: unknown[] }>("GET", "/v1/webhook-sendouts?status=retry")).data.length,
  };
  mark(`sendouts waiting for a lost message: ${lost.pending} pending, ${lost.retry} in retry`);
  expect(lost.pending).toBeGreaterThan(0);
  expect(lost.retry).toBeGreaterThan(0);

  // Recovery: the sweep brings back the lost messages of tasks and sendouts.
  const sweeper = setInterval(sweep, 2_000);
  try {
    await sleep(3_000);
    await ingest.stop();
    const finished = await until(
      "the import to finish",
      async () => {
        const t = await task(importTask.id);
        return t.status === "done" || t.status === "failed" ? t : undefined;
      },
      150_000,
    );
    mark("import done");
    expect(finished).toMatchObject({
      status: "done",
      processed: IMPORT_ROWS,
      total: IMPORT_ROWS,
      success_count: IMPORT_ROWS,
      failure_count: 0,
      errors: [],
    });
    for (const id of exportIds)
      await until(
        `export ${id} to finish`,
        async () => (await json<ExportView>("GET", `/v1/exports/${id}`)).status !== "running",
        60_000,
      );
    await until(
      "every acknowledged event to be delivered",
      async () => {
        const delivered = receiver.acceptedEvents();
        return [...ingest.acknowledged].every((id) => delivered.has(id));
      },
      60_000,
    );
    await until(
      "no sendout left pending or in retry",
      async () => {
        for (const status of ["pending", "retry"])
          if ((await json<{ data: unknown[] }>("GET", `/v1/webhook-sendouts?status=${status}`)).data.length > 0)
            return false;
        return true;
      },
      60_000,
    );
  } finally {
    clearInterval(sweeper);
  }
  mark("everything finished");

  // Every export holds every seeded row once, including those killed mid-way.
  const exportTasks: string[] = [];
  for (const id of exportIds) {
    const done = await json<ExportView>("GET", `/v1/exports/${id}`);
    expect(done).toMatchObject({ status: "done", row_count: EXPORT_ROWS });
    exportTasks.push(done.task_id);
    const download = await call("GET", `/v1/exports/${id}/download`);
    expect(download.status).toBe(200);
    const ids = (await download.text())
      .split("\n")
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { id: string }).id);
    expect(ids).toHaveLength(EXPORT_ROWS);
    expect(new Set(ids)).toEqual(new Set(Array.from({ length: EXPORT_ROWS }, (_, n) => `exp_${n}`)));
  }

  // The end of each task was told once (notifications are keyed by task and outcome).
  const told = (await json<{ data: { id: string }[] }>("GET", "/v1/notifications")).data.map((n) => n.id);
  for (const id of [importTask.id, ...exportTasks]) expect(told).toContain(`ntf_${id}_done`);

  // Webhooks: every signature valid; one webhook-id per event, however often it came (refused once,
  // or cut short by a kill and sent again); each accepted; nothing left undelivered or failed.
  expect(receiver.rejected).toEqual([]);
  const idsByEvent = receiver.idsByEvent();
  expect([...idsByEvent].filter(([, ids]) => ids.size !== 1).map(([id]) => id)).toEqual([]);
  const delivered = receiver.acceptedEvents();
  expect(delivered).toEqual(new Set(idsByEvent.keys()));
  expect([...delivered].filter((id) => !ingest.attempted.has(id))).toEqual([]);
  for (const status of ["pending", "retry", "error"])
    expect((await json<{ data: unknown[] }>("GET", `/v1/webhook-sendouts?status=${status}`)).data).toEqual([]);
  await expectAcknowledgedReadable(ingest);
  const accepted = receiver.deliveries.filter((d) => d.status === 200).length;
  mark(
    `${ingest.acknowledged.size} of ${ingest.attempted.size} pings acknowledged; ${delivered.size} delivered in ${accepted} accepted requests; ${exportIds.length} exports`,
  );

  // What the database holds, read once the server has stopped.
  await stopDev(server, "SIGTERM");
  server = undefined;
  const p = `'${projectId}'`;
  // Events are on the project's shard (filter values as dictionary terms), sendouts in the control database.
  const [home] = queryState<{ shard: string; pn: number }>(
    state,
    `SELECT shard, pn FROM placements WHERE project_id = ${p}`,
  );
  if (!home) throw new Error(`no placement for ${projectId}`);
  const term = (facet: number, value: string) => `(SELECT id FROM terms WHERE facet = ${facet} AND value = '${value}')`;
  const [stored] = queryState<Record<string, number>>(
    state,
    `SELECT
       (SELECT count(*) FROM events WHERE pn = ${home.pn} AND entity_type = ${term(7, "crash_row")}) AS import_rows,
       (SELECT count(DISTINCT entity_id) FROM events WHERE pn = ${home.pn} AND entity_type = ${term(7, "crash_row")}) AS distinct_import_rows,
       (SELECT count(*) FROM events WHERE pn = ${home.pn} AND type = ${term(2, "crash.ping")}) AS pings,
       (SELECT count(*) FROM webhook_outbox WHERE pn = ${home.pn}) AS outbox`,
    home.shard,
  );
  const [sendouts] = queryState<Record<string, number>>(
    state,
    `SELECT
       (SELECT count(*) FROM webhook_sendouts WHERE project_id = ${p}) AS sendouts,
       (SELECT count(*) FROM webhook_sendouts WHERE project_id = ${p} AND status = 'sent') AS sent,
       (SELECT count(DISTINCT event_id) FROM webhook_sendouts WHERE project_id = ${p}) AS events_with_sendouts`,
  );
  const counts = { ...stored, ...sendouts };
  expect(counts).toEqual({
    import_rows: IMPORT_ROWS,
    distinct_import_rows: IMPORT_ROWS,
    pings: delivered.size,
    outbox: 0,
    sendouts: delivered.size,
    sent: delivered.size,
    events_with_sendouts: delivered.size,
  });
}, 300_000);
