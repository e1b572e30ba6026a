import { env } from "cloudflare:test";
import { parse } from "csv-parse/sync";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../../../src/db/client";
import { type Project, projects, tasks } from "../../../src/db/schema";
import { TASK_KINDS } from "../../../src/queues/tasks";
import {
  compileFilters,
  type EventFilters,
  type EventQuery,
  scopeForAccess,
} from "../../../src/services/events/filters";
import { listEvents } from "../../../src/services/events/query";
import type { StoredEvent } from "../../../src/services/events/schema";
import { csvHeader, csvLines, csvRecord } from "../../../src/services/exports/format";
import { type ExportPage, readExportPages } from "../../../src/services/exports/read";
import { requestExport } from "../../../src/services/exports/request";
import { PART_SIZE, PARTS_PER_STEP, PartBuffer } from "../../../src/services/exports/run";
import { csvToEvent } from "../../../src/services/imports/parse";
import { runTaskStep } from "../../../src/services/tasks/engine";
import {
  addTerms,
  api,
  createTenant,
  expectJson,
  expectProblem,
  keyContext,
  projectContext,
  recountDays,
  shardOf,
  systemContext,
  type Tenant,
  termSql,
} from "../../fixtures";

const db = createDb(env.DB);
const NOW = Date.now();

/** Inserts `count` events in one statement; every `paymentEvery`-th one is a payment, the rest activity. */
async function seedEvents(project: Project, count: number, paymentEvery: number) {
  await addTerms(project, [
    ["category", "payment"],
    ["category", "activity"],
    ["type", "payout.created"],
    ["type", "commission.updated"],
    ["status", "success"],
    ["organization", "org_even"],
    ["organization", "org_odd"],
    ["changed", "status"],
  ]);
  const { d1, pn } = shardOf(project);
  await d1
    .prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
     INSERT INTO events (pn, occurred_at, received_at, category, type, status, organization, data, hash)
     SELECT ?1, ?3 - i * 1000, ?3,
       CASE WHEN i % ?4 = 0 THEN ${termSql("category", "payment")} ELSE ${termSql("category", "activity")} END,
       CASE WHEN i % ?4 = 0 THEN ${termSql("type", "payout.created")} ELSE ${termSql("type", "commission.updated")} END,
       ${termSql("status", "success")},
       CASE WHEN i % 2 = 0 THEN ${termSql("organization", "org_even")} ELSE ${termSql("organization", "org_odd")} END,
       json_object('id', printf('evt_bulk_%06d', i), 'occurred_at', strftime('%Y-%m-%dT%H:%M:%fZ', (?3 - i * 1000) / 1000.0, 'unixepoch'),
         'category', CASE WHEN i % ?4 = 0 THEN 'payment' ELSE 'activity' END,
         'type', CASE WHEN i % ?4 = 0 THEN 'payout.created' ELSE 'commission.updated' END,
         'action', CASE WHEN i % ?4 = 0 THEN 'created' ELSE 'updated' END, 'status', 'success',
         'organization_id', CASE WHEN i % 2 = 0 THEN 'org_even' ELSE 'org_odd' END,
         'summary', CASE WHEN i = 7 THEN '=HYPERLINK("http://evil.example","click")' ELSE 'Commission ' || i || ', approved' END,
         'changes', json_object('status', json_array('pending', 'approved'))),
       unhex(printf('%064d', i))
     FROM n`,
    )
    .bind(pn, count, NOW, paymentEvery)
    .run();
  await recountDays(project);
}

/** Drives a task to the end the way the queue would, one step per message; returns the steps taken. */
async function drive(taskId: string): Promise<number> {
  for (let steps = 1; steps < 500; steps++) {
    const outcome = await runTaskStep(systemContext(), taskId, TASK_KINDS, { enqueueNext: false });
    if (outcome === "done") return steps;
    if (outcome !== "continued") throw new Error(`unexpected outcome ${outcome}`);
  }
  throw new Error("the task did not finish");
}

async function download(tenant: Tenant, exportId: string, headers: Record<string, string> = {}): Promise<Response> {
  return api("GET", `/v1/exports/${exportId}/download`, { key: tenant.keys.read, headers });
}

describe("large exports", () => {
  it("exports 120,000 filtered events as CSV in bounded parts, exactly, and readable by a CSV parser", {
    timeout: 180_000,
  }, async () => {
    const tenant = await createTenant();
    await seedEvents(tenant.project, 125_000, 25); // 120,000 activity + 5,000 payments
    const created = await expectJson<{ id: string; status: string; task_id: string }>(
      await api("POST", "/v1/exports", {
        key: tenant.keys.read,
        body: { format: "csv", filters: { category: "activity" } },
      }),
      202,
    );
    expect(created.status).toBe("queued");
    await expectProblem(await download(tenant, created.id), 409);
    const steps = await drive(created.task_id);

    const task = await expectJson<{ status: string; processed: number; total: number; success_count: number }>(
      await api("GET", `/v1/tasks/${created.task_id}`, { key: tenant.keys.read }),
      200,
    );
    // 120,000 seeded activity events and the export's own `export.created` activity event.
    expect(task).toMatchObject({ status: "done", processed: 120_001, total: 120_001, success_count: 120_001 });
    const checkpoint = await env.DB.prepare("SELECT checkpoint FROM tasks WHERE id = ?")
      .bind(created.task_id)
      .first<{ checkpoint: string }>();
    const state = JSON.parse(checkpoint?.checkpoint ?? "{}") as {
      parts: unknown[];
      largestPart: number;
      bytes: number;
    };
    // Streamed in parts: after the step that opens the upload, each step makes PARTS_PER_STEP parts
    // (the last one the rest), none holding more than those and one page of rows.
    expect(state.parts.length).toBeGreaterThan(PARTS_PER_STEP);
    expect(steps).toBeGreaterThanOrEqual(1 + Math.ceil((state.parts.length - 1) / PARTS_PER_STEP));
    expect(steps).toBeLessThanOrEqual(1 + Math.ceil(state.parts.length / PARTS_PER_STEP));
    expect(state.largestPart).toBeGreaterThan((PARTS_PER_STEP - 1) * PART_SIZE);
    expect(state.largestPart).toBeLessThan(PARTS_PER_STEP * PART_SIZE + 1024 * 1024);

    const response = await download(tenant, created.id);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Disposition")).toContain(`trailbook-${created.id}.csv`);
    const text = await response.text();
    expect(text.length).toBe(state.bytes);
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(120_001);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(120_001);
    expect(rows.every((r) => r.category === "activity")).toBe(true);
    const readKey = await env.DB.prepare("SELECT id FROM api_keys WHERE project_id = ? AND scope = 'read'")
      .bind(tenant.project.id)
      .first<{ id: string }>();
    expect(rows[0]).toMatchObject({ type: "export.created", user_id: readKey?.id });
    expect(rows[1]).toMatchObject({
      event_id: "evt_bulk_000001",
      type: "commission.updated",
      changes: '{"status":["pending","approved"]}',
    });
    expect(
      rows.filter((r) => r.event_id?.startsWith("evt_bulk_")).every((r) => Number(r.event_id?.slice(9)) % 25 !== 0),
    ).toBe(true);
    // A formula is neutralised; ordinary text with a comma survives quoting.
    expect(rows.find((r) => r.event_id === "evt_bulk_000007")?.summary).toBe(
      `'=HYPERLINK("http://evil.example","click")`,
    );
    expect(rows.find((r) => r.event_id === "evt_bulk_000001")?.summary).toBe("Commission 1, approved");

    const export_ = await expectJson<{ status: string; row_count: number; bytes: number }>(
      await api("GET", `/v1/exports/${created.id}`, { key: tenant.keys.read }),
      200,
    );
    expect(export_).toMatchObject({ status: "done", row_count: 120_001, bytes: state.bytes });

    const ranged = await download(tenant, created.id, { Range: "bytes=0-8" });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("Content-Range")).toBe(`bytes 0-8/${state.bytes}`);
    expect(await ranged.text()).toBe("timestamp");
  });

  it("exports JSON Lines with gzip, likewise", { timeout: 180_000 }, async () => {
    const tenant = await createTenant();
    await seedEvents(tenant.project, 123_000, 41); // 3,000 payments
    const { row, task } = await requestExport(await keyContext(tenant), {
      format: "jsonl",
      gzip: true,
      filters: { type: "commission.*", organization_id: "org_even" },
      enqueue: false,
    });
    await drive(task.id);
    const response = await download(tenant, row.id);
    expect(response.headers.get("Content-Type")).toBe("application/gzip");
    const lines = (await new Response(response.body?.pipeThrough(new DecompressionStream("gzip"))).text())
      .trimEnd()
      .split("\n");
    const expected = Array.from({ length: 123_000 }, (_, k) => k + 1).filter((i) => i % 41 !== 0 && i % 2 === 0).length;
    expect(lines).toHaveLength(expected);
    const events = lines.map((l) => JSON.parse(l) as { id: string; organization_id: string; hash: string });
    expect(events.every((e) => e.organization_id === "org_even" && e.hash.length === 64)).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(expected);
  });
});

/** Every event the list API returns for a query, walking its pages. */
async function listAll(project: Project, query: EventQuery): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await listEvents(projectContext(project), query, { limit: 50, cursor });
    out.push(...page.data);
    if (!page.next_cursor) return out;
    cursor = page.next_cursor;
  }
}

async function readAll(
  project: Project,
  query: EventQuery,
  cursor: string | null,
  pageSize: number,
): Promise<ExportPage[]> {
  const pages: ExportPage[] = [];
  for await (const page of readExportPages(projectContext(project), query, cursor, pageSize)) pages.push(page);
  return pages;
}

describe("export reads", () => {
  it("return what the list API returns, in its order, with filters and a partner's scope, and resume from their cursor", async () => {
    const tenant = await createTenant();
    await seedEvents(tenant.project, 230, 3);
    await addTerms(tenant.project, [
      ["category", "configuration"],
      ["type", "api_key.revoked"],
    ]);
    const { d1, pn } = shardOf(tenant.project);
    await d1
      .prepare(
        `INSERT INTO events (pn, occurred_at, received_at, category, type, organization, data, hash)
       VALUES (?1, ?2, ?2, ${termSql("category", "configuration")}, ${termSql("type", "api_key.revoked")}, ${termSql("organization", "org_even")},
         json_object('id', 'evt_config', 'occurred_at', '2026-01-01T00:00:00.000Z', 'category', 'configuration', 'type', 'api_key.revoked', 'action', 'revoked', 'organization_id', 'org_even'), unhex('68'))`,
      )
      .bind(pn, NOW - 5_500)
      .run();
    await recountDays(tenant.project);
    const partner = { role: "viewer", organizationId: "org_even" } as const;
    const partnerEverything = scopeForAccess(compileFilters({}, "UTC"), partner);
    const queries: [string, EventQuery][] = [
      ["everything", compileFilters({}, "UTC")],
      ["a partner's everything", partnerEverything],
      [
        "a partner's filtered",
        scopeForAccess(compileFilters({ type: "commission.*", status: "success" }, "UTC"), partner),
      ],
      [
        "text, changed field and a time window",
        compileFilters(
          { q: "approved", changed: "status", from: new Date(NOW - 150_000).toISOString() } satisfies EventFilters,
          "UTC",
        ),
      ],
    ];
    for (const [name, query] of queries) {
      const expected = await listAll(tenant.project, query);
      expect(expected.length, name).toBeGreaterThan(0);
      const pages = await readAll(tenant.project, query, null, 7);
      expect(
        pages.flatMap((p) => p.events),
        name,
      ).toEqual(expected);
      expect(
        pages.slice(0, -1).every((p) => p.events.length === 7 && p.cursor !== null),
        name,
      ).toBe(true);
      expect(pages.at(-1)?.cursor, name).toBeNull();
      // A step that stopped after the third page starts the next one from its cursor.
      const resumed = await readAll(tenant.project, query, pages[2]?.cursor ?? null, 7);
      expect(
        resumed.flatMap((p) => p.events),
        name,
      ).toEqual(expected.slice(21));
    }
    const everything = (await readAll(tenant.project, compileFilters({}, "UTC"), null, 7)).flatMap((p) => p.events);
    expect(everything).toHaveLength(231);
    const partners = (await readAll(tenant.project, partnerEverything, null, 7)).flatMap((p) => p.events);
    expect(partners).toHaveLength(115);
    expect(partners.every((e) => e.organization_id === "org_even" && e.category !== "configuration")).toBe(true);
  });

  it("end with an empty page when the last full page was exactly the rest", async () => {
    const tenant = await createTenant();
    await seedEvents(tenant.project, 20, 1_000_000);
    const pages = await readAll(tenant.project, compileFilters({}, "UTC"), null, 10);
    expect(pages.map((p) => p.events.length)).toEqual([10, 10, 0]);
    expect(pages.map((p) => p.cursor === null)).toEqual([false, false, true]);
  });
});

describe("CSV writer", () => {
  const hostile = [
    "plain",
    "",
    "comma, inside",
    'say "hi"',
    '"',
    '""',
    "line\nbreak",
    "carriage\rreturn",
    "crlf\r\nend",
    "trailing\n",
    " spaced ",
    "'=1+2",
    "tab\there",
    "ünïcødé, ✓",
    "semi;colon",
    "\\back\\slash\\",
  ];

  it("quotes exactly the cells RFC 4180 needs quoted, line breaks included", () => {
    expect(csvLines([["a", "b c", "x,y", 'q"q', "l\nf", "c\rr", ""]])).toBe('a,b c,"x,y","q""q","l\nf","c\rr",\r\n');
  });

  it("puts every field of an event under its own column", () => {
    const event = {
      id: "evt_1",
      occurred_at: "2026-03-01T10:00:00.000Z",
      category: "activity",
      type: "commission.updated",
      action: "updated",
      status: "success",
      summary: "Commission approved",
      message: "-1 left",
      lifecycle_action: "approved",
      source: "dashboard",
      actor: { type: "team_member", id: "usr_1", name: "Ada", email: "ada@example.com" },
      entity: { type: "commission", id: "com_1", name: "Commission #1" },
      targets: [
        { type: "referral", id: "ref_1" },
        { type: "promoter", id: "pro_1" },
      ],
      changes: { status: ["pending", "approved"] },
      metadata: { plan: "pro" },
      organization_id: "org_1",
      job_id: "job_1",
      request: {
        id: "req_1",
        method: "PATCH",
        path: "/commissions/1",
        controller: "commissions",
        action: "update",
        status_code: 200,
      },
      received_at: "2026-03-01T10:00:01.000Z",
      hash: "abc",
    } as StoredEvent;
    const [row] = parse(csvHeader() + csvLines([csvRecord(event)]), { columns: true }) as Record<string, string>[];
    expect(row).toEqual({
      timestamp: "2026-03-01T10:00:00.000Z",
      event_id: "evt_1",
      user_id: "usr_1",
      user_name: "Ada",
      user_email: "ada@example.com",
      entity_type: "commission",
      entity_id: "com_1",
      entity_class: "commission",
      action: "updated",
      changes: '{"status":["pending","approved"]}',
      model_class: "referral",
      model_id: "ref_1",
      promoter_id: "pro_1",
      request_method: "PATCH",
      request_path: "/commissions/1",
      request_controller: "commissions",
      request_action: "update",
      status_code: "200",
      category: "activity",
      type: "commission.updated",
      status: "success",
      summary: "Commission approved",
      message: "'-1 left",
      lifecycle_action: "approved",
      source: "dashboard",
      actor_type: "team_member",
      entity_name: "Commission #1",
      organization_id: "org_1",
      request_id: "req_1",
      job_id: "job_1",
      metadata: '{"plan":"pro"}',
      received_at: "2026-03-01T10:00:01.000Z",
      hash: "abc",
    });
    const [bare] = parse(
      csvHeader() +
        csvLines([
          csvRecord({
            id: "evt_2",
            occurred_at: "2026-03-01T10:00:00.000Z",
            type: "a.b",
            received_at: "2026-03-01T10:00:00.000Z",
            hash: "h",
          } as StoredEvent),
        ]),
      { columns: true },
    ) as Record<string, string>[];
    expect(
      Object.entries(bare ?? {})
        .filter(([, v]) => v !== "")
        .map(([k]) => k),
    ).toEqual(["timestamp", "event_id", "type", "received_at", "hash"]);
  });

  it("neutralises formulas behind spaces, quotes, invisible characters and full-width signs", () => {
    const formulas = [
      "=1+2",
      "  =1+2",
      '"=1+2',
      "'=1+2",
      "\u00A0=1+2",
      "\u200B=1+2",
      "\u200C+1",
      "\u200D-1",
      "\uFEFF@SUM(A1)",
      "\u2060=1",
      " \u200B '\u00A0=cmd|'/c calc'!A1",
      "\uFF1D1+2",
      "\uFF0B1",
      "\uFF0D1",
      "\uFF20SUM(A1)",
      "  \uFF1DHYPERLINK(1)",
      "\tx",
      "\rx",
      " \t=x",
    ];
    const harmless = ["plain", " spaced", '"quoted" text', "a=b", "\u200Bzero width", "\uFF04100", "100\uFF05"];
    const event = (summary: string, i: number) =>
      ({
        id: `evt_${i}`,
        occurred_at: "2026-03-01T10:00:00.000Z",
        type: "a.b",
        summary,
        received_at: "2026-03-01T10:00:00.000Z",
        hash: "h",
      }) as StoredEvent;
    const all = [...formulas, ...harmless];
    const rows = parse(csvHeader() + csvLines(all.map((s, i) => csvRecord(event(s, i)))), {
      columns: true,
    }) as Record<string, string>[];
    expect(rows.map((r) => r.summary)).toEqual([...formulas.map((f) => `'${f}`), ...harmless]);
    // The importer takes exactly the added apostrophe off again.
    expect(rows.map((r) => csvToEvent(r).summary)).toEqual(all);
  });

  it("writes what an RFC 4180 reader reads back cell for cell", () => {
    const records = [hostile, [...hostile].reverse(), hostile.map((c, i) => `${i}${c}${i}`), [""], ["only"]];
    expect(parse(csvLines(records), { relax_column_count: true })).toEqual(records);
  });
});

describe("part buffer", () => {
  it("puts the bytes carried from the last step first, then this step's as one gzip member", async () => {
    const carried = new TextEncoder().encode("end of the last member");
    const buffer = new PartBuffer(true, carried);
    await buffer.write("first page\n");
    await buffer.write("second page\n");
    const out = await buffer.finish();
    expect(buffer.carried).toBe(carried.byteLength);
    expect(out.byteLength).toBe(buffer.size);
    expect(new TextDecoder().decode(out.subarray(0, carried.byteLength))).toBe("end of the last member");
    const member = new Response(
      new Blob([out.subarray(carried.byteLength)]).stream().pipeThrough(new DecompressionStream("gzip")),
    );
    expect(await member.text()).toBe("first page\nsecond page\n");
  });
});

describe("requesting an export", () => {
  it("writes its task and its export together: when the export cannot be written, no task is left", async () => {
    const tenant = await createTenant();
    // The write of the export row fails, as when the process dies between two separate writes.
    await env.DB.prepare(
      "CREATE TRIGGER refuse_exports BEFORE INSERT ON exports BEGIN SELECT RAISE(ABORT, 'exports refused'); END",
    ).run();
    try {
      await expect(
        requestExport(await keyContext(tenant), { format: "csv", gzip: false, filters: {}, enqueue: true }),
      ).rejects.toThrow();
    } finally {
      await env.DB.prepare("DROP TRIGGER refuse_exports").run();
    }
    const left = await env.DB.prepare("SELECT count(*) AS n FROM tasks WHERE project_id = ?")
      .bind(tenant.project.id)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });
});

describe("task engine", () => {
  it("retries a failed chunk and completes with the right count; a message delivered twice changes nothing", async () => {
    const tenant = await createTenant();
    await seedEvents(tenant.project, 3_000, 1_000_000);
    const { row, task } = await requestExport(await keyContext(tenant), {
      format: "csv",
      gzip: false,
      filters: {},
      enqueue: false,
    });
    expect(await runTaskStep(systemContext(), task.id, TASK_KINDS, { enqueueNext: false })).toBe("continued");

    // The part upload fails once: the step throws and commits nothing.
    let failures = 1;
    const flaky = {
      ...env,
      FILES: new Proxy(env.FILES, {
        get(target, property) {
          if (property === "resumeMultipartUpload") {
            return (key: string, id: string) => {
              const upload = target.resumeMultipartUpload(key, id);
              return new Proxy(upload, {
                get(u, p) {
                  if (p === "uploadPart" && failures-- > 0) return () => Promise.reject(new Error("network blip"));
                  const value = Reflect.get(u, p) as unknown;
                  return typeof value === "function" ? value.bind(u) : value;
                },
              });
            };
          }
          const value = Reflect.get(target, property) as unknown;
          return typeof value === "function" ? value.bind(target) : value;
        },
      }),
    } as Env;
    await expect(runTaskStep(systemContext(flaky), task.id, TASK_KINDS, { enqueueNext: false })).rejects.toThrow(
      "network blip",
    );
    const mid = await env.DB.prepare("SELECT step, status FROM tasks WHERE id = ?").bind(task.id).first();
    expect(mid).toEqual({ step: 1, status: "in_progress" });

    // Two deliveries of the same message race: one commits, the other is superseded.
    const outcomes = await Promise.all([
      runTaskStep(systemContext(), task.id, TASK_KINDS, { enqueueNext: false }),
      runTaskStep(systemContext(), task.id, TASK_KINDS, { enqueueNext: false }),
    ]);
    expect(outcomes.sort()).toEqual(["done", "superseded"]);
    expect(await runTaskStep(systemContext(), task.id, TASK_KINDS, { enqueueNext: false })).toBe("finished");

    const text = await (await download(tenant, row.id)).text();
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    // 3,000 seeded events and the export's own event.
    expect(rows).toHaveLength(3_001);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(3_001);
    const done = await env.DB.prepare("SELECT processed, success_count FROM tasks WHERE id = ?").bind(task.id).first();
    expect(done).toEqual({ processed: 3_001, success_count: 3_001 });
  });

  it("repeats every step of a multi-part export, as after a crash before each commit, without duplicating or losing a row", {
    timeout: 180_000,
  }, async () => {
    const tenant = await createTenant();
    await seedEvents(tenant.project, 60_000, 1_000_000);
    const { row, task } = await requestExport(await keyContext(tenant), {
      format: "csv",
      gzip: false,
      filters: {},
      enqueue: false,
    });
    expect(task.total).toBe(60_001);
    for (let steps = 0; ; steps++) {
      if (steps > 50) throw new Error("the task did not finish");
      const [current] = await db
        .select({ task: tasks, project: projects })
        .from(tasks)
        .innerJoin(projects, eq(projects.id, tasks.projectId))
        .where(eq(tasks.id, task.id));
      if (!current) throw new Error("task vanished");
      // The step's work is done, then lost before its commit; the redelivered message does it again.
      await TASK_KINDS.export.step(projectContext(current.project), current.task);
      const outcome = await runTaskStep(systemContext(), task.id, TASK_KINDS, { enqueueNext: false });
      // The first step opens the upload and keeps the total counted when the export was requested.
      if (steps === 0)
        expect((await db.select({ total: tasks.total }).from(tasks).where(eq(tasks.id, task.id)))[0]?.total).toBe(
          60_001,
        );
      if (outcome === "done") break;
      expect(outcome).toBe("continued");
    }
    const checkpoint = await env.DB.prepare("SELECT checkpoint FROM tasks WHERE id = ?")
      .bind(task.id)
      .first<{ checkpoint: string }>();
    const state = JSON.parse(checkpoint?.checkpoint ?? "{}") as { parts: unknown[]; bytes: number };
    expect(state.parts.length).toBeGreaterThan(2);
    const text = await (await download(tenant, row.id)).text();
    expect(text.length).toBe(state.bytes);
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(60_001);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(60_001);
    // Newest first, so the seeded events follow the export's own event in their seeded order.
    expect(rows.slice(1).every((r, i) => r.event_id === `evt_bulk_${String(i + 1).padStart(6, "0")}`)).toBe(true);
    expect((await env.FILES.list({ prefix: `${row.fileKey}.rest-` })).objects).toHaveLength(0);
  });

  it("rejects bad export requests with a clear problem", async () => {
    const tenant = await createTenant();
    const bad = await expectProblem(
      await api("POST", "/v1/exports", { key: tenant.keys.read, body: { format: "xlsx" } }),
      422,
    );
    expect(bad.errors[0]?.path).toBe("format");
    const filter = await expectProblem(
      await api("POST", "/v1/exports", {
        key: tenant.keys.read,
        body: { format: "csv", filters: { query: "colour:red" } },
      }),
      422,
    );
    expect(filter.detail).toContain("unknown key");
    await expectProblem(await api("POST", "/v1/exports", { key: tenant.keys.ingest, body: { format: "csv" } }), 403);
    await expectProblem(await api("GET", "/v1/exports/exp_nope", { key: tenant.keys.read }), 404);
    expect(
      (
        await env.DB.prepare("SELECT count(*) AS n FROM exports WHERE project_id = ?")
          .bind(tenant.project.id)
          .first<{ n: number }>()
      )?.n,
    ).toBe(0);
  });
});
