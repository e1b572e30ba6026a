import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TASK_KINDS } from "../../../src/queues/tasks";
import { compileFilters } from "../../../src/services/events/filters";
import { listEvents } from "../../../src/services/events/query";
import type { StoredEvent } from "../../../src/services/events/schema";
import { csvHeader, csvLine, csvLines, csvRecord, jsonLine } from "../../../src/services/exports/format";
import { runTaskStep } from "../../../src/services/tasks/engine";
import { api, createTenant, expectJson, keyContext, systemContext, type Tenant } from "../../fixtures";

// Exports write each event's line straight from its parsed data; these check that the bytes are
// those the reference functions (csvRecord and csvLines, toStoredEvent) write for the same events.

/** Cells a spreadsheet or a CSV reader treats specially, and ordinary ones. */
const awkward = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.constantFrom(
    "=1+2",
    "+1",
    "-1",
    "@SUM(A1)",
    "\t=x",
    "  =x",
    '"=x',
    "'=x",
    "\u200B=1",
    "\uFEFF@x",
    "\uFF1D1",
    "a,b",
    'q"q',
    "l\nf",
    "c\rr",
    "",
    "plain",
    "0",
    "Ünïcödé",
  ),
);
const json: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });
const entity = fc.record({ type: awkward, id: awkward, name: awkward }, { requiredKeys: [] });
const storedEvent = fc.record(
  {
    id: awkward,
    occurred_at: fc.constantFrom("2026-03-01T10:00:00.000Z", "-=cmd"),
    category: awkward,
    type: awkward,
    action: awkward,
    status: awkward,
    summary: awkward,
    message: awkward,
    lifecycle_action: awkward,
    source: awkward,
    actor: fc.record({ type: awkward, id: awkward, name: awkward, email: awkward }, { requiredKeys: [] }),
    entity,
    targets: fc.array(fc.oneof(entity, fc.record({ type: fc.constant("promoter"), id: awkward })), { maxLength: 3 }),
    organization_id: awkward,
    changes: fc.dictionary(fc.oneof(awkward, fc.constantFrom("10", "9", "0")), fc.tuple(json, json)),
    request: fc.record(
      {
        id: awkward,
        method: awkward,
        path: awkward,
        controller: awkward,
        action: awkward,
        status_code: fc.oneof(fc.integer({ min: 100, max: 599 }), fc.integer()),
      },
      { requiredKeys: [] },
    ),
    job_id: awkward,
    metadata: fc.dictionary(fc.oneof(awkward, fc.constantFrom("1", "2", "10")), json),
    received_at: fc.constant("2026-03-01T10:00:01.000Z"),
    hash: fc.constantFrom("ab".repeat(32), "=bad"),
  },
  { requiredKeys: ["id", "occurred_at", "type", "received_at", "hash"] },
);

/** Drives a task to its end as the queue would. */
async function drive(taskId: string): Promise<void> {
  for (let steps = 0; steps < 100; steps++) {
    const outcome = await runTaskStep(systemContext(), taskId, TASK_KINDS, { enqueueNext: false });
    if (outcome === "done") return;
    if (outcome !== "continued") throw new Error(`unexpected outcome ${outcome}`);
  }
  throw new Error("the export did not finish");
}

async function exported(tenant: Tenant, format: "csv" | "jsonl"): Promise<string> {
  const created = await expectJson<{ id: string; task_id: string }>(
    await api("POST", "/v1/exports", { key: tenant.keys.read, body: { format } }),
    202,
  );
  await drive(created.task_id);
  const response = await api("GET", `/v1/exports/${created.id}/download`, { key: tenant.keys.read });
  expect(response.status).toBe(200);
  return response.text();
}

describe("export lines", () => {
  it("writes the CSV line of any event exactly as csvRecord and csvLines write it", () => {
    fc.assert(
      fc.property(storedEvent, (event) => {
        const e = event as unknown as StoredEvent;
        expect(csvLine(e)).toBe(csvLines([csvRecord(e)]));
      }),
      { numRuns: 2_000 },
    );
  });

  it("exports the bytes the list API's events make with the reference functions, CSV and JSON Lines", async () => {
    const tenant = await createTenant();
    const events = [
      { id: "e1", type: "a.b", summary: "=HYPERLINK(1)", message: 'line\nbreak, and "quotes"' },
      { id: "e2", type: "a.c", metadata: { "10": 1, "9": [2, { z: 1, a: null }], plan: "pro" } },
      { id: "e3", type: "x.y", changes: { status: ["pending", "approved"], "2": [0, -1.5e-7] } },
      {
        id: "e4",
        type: "pay.out",
        actor: { type: "user", id: "-u1", name: "Zoë", email: "Z@Example.com" },
        entity: { type: "payout", id: "p1", name: "\u200B=sum" },
        targets: [
          { type: "referral", id: "r1" },
          { type: "promoter", id: "pr1" },
        ],
        request: { id: "req_1", method: "post", path: "/a,b", status_code: 201, controller: "c", action: "@a" },
        organization_id: "org_1",
        job_id: "j1",
        status: "success",
        source: "api",
        lifecycle_action: "approved",
      },
    ];
    await expectJson(await api("POST", "/v1/events/batch", { key: tenant.keys.ingest, body: { events } }), 201);
    await expectJson(
      await api("POST", "/v1/events", { key: tenant.keys.ingest, body: { id: "e5", type: "later.one" } }),
      201,
    );
    const csv = await exported(tenant, "csv");
    const jsonl = await exported(tenant, "jsonl");
    // Read after both exports, newest first as they write: each export also wrote its own
    // export.created event, so the JSON Lines export holds both and the CSV one all but the newest.
    const ctx = await keyContext(tenant, "read");
    const listed = (await listEvents(ctx, compileFilters({}, "UTC"), { limit: 200 })).data;
    expect(listed.map((e) => e.type).filter((t) => t === "export.created")).toHaveLength(2);
    expect(listed[0]?.type).toBe("export.created");
    expect(csv).toBe(csvHeader() + csvLines(listed.slice(1).map(csvRecord)));
    expect(jsonl).toBe(listed.map(jsonLine).join(""));
    expect(csv).toContain(`'=HYPERLINK(1)`);
  });
});
