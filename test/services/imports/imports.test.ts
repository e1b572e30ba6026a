import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../../src/index";
import { TASK_KINDS } from "../../../src/queues/tasks";
import { sweepImportUploads } from "../../../src/services/imports/cleanup";
import { failTask, runTaskStep } from "../../../src/services/tasks/engine";
import {
  api,
  createTenant,
  expectJson,
  expectProblem,
  shardOf,
  storedEvents,
  systemContext,
  type Tenant,
} from "../../fixtures";

type TaskView = {
  id: string;
  status: string;
  processed: number;
  success_count: number;
  failure_count: number;
  errors: { line: number; message: string }[];
  result: Record<string, number> | null;
};

async function upload(tenant: Tenant, body: string, type: string): Promise<TaskView> {
  return expectJson<TaskView>(
    await api("POST", "/v1/imports", { key: tenant.keys.ingest, rawBody: body, headers: { "Content-Type": type } }),
    202,
  );
}

async function finish(taskId: string) {
  for (let i = 0; i < 100; i++) {
    const outcome = await runTaskStep(systemContext(), taskId, TASK_KINDS, { enqueueNext: false });
    if (outcome === "done" || outcome === "finished") return;
  }
  throw new Error("import did not finish");
}

async function task(tenant: Tenant, id: string): Promise<TaskView> {
  return expectJson<TaskView>(await api("GET", `/v1/tasks/${id}`, { key: tenant.keys.read }), 200);
}

describe("imports", () => {
  it("stores valid JSON Lines once, reports invalid lines, and skips duplicates", async () => {
    const tenant = await createTenant();
    await expectJson(
      await api("POST", "/v1/events", {
        key: tenant.keys.ingest,
        body: { id: "already", type: "user.login", occurred_at: "2026-01-01T00:00:00Z" },
      }),
      201,
    );
    const lines = [
      JSON.stringify({
        id: "imp_1",
        type: "commission.updated",
        occurred_at: "2026-01-02T00:00:00Z",
        changes: { status: ["a", "b"] },
      }),
      "{not json",
      JSON.stringify({ summary: "no type" }),
      JSON.stringify({ id: "already", type: "user.login", occurred_at: "2026-01-01T00:00:00Z" }),
      "",
      JSON.stringify({
        type: "payout.created",
        category: "payment",
        status: "complete",
        occurred_at: "2026-01-03T00:00:00Z",
        metadata: { password: "secret-1" },
      }),
      JSON.stringify({
        id: "imp_1",
        type: "commission.updated",
        occurred_at: "2026-01-02T00:00:00Z",
        changes: { status: ["a", "b"] },
      }),
      JSON.stringify({ id: "already", type: "user.logout", occurred_at: "2026-01-01T00:00:00Z" }),
    ];
    const created = await upload(tenant, lines.join("\n"), "application/x-ndjson");
    expect(created.status).toBe("enqueued");
    await finish(created.id);
    const done = await task(tenant, created.id);
    expect(done).toMatchObject({ status: "done", processed: 7, success_count: 4, failure_count: 3 });
    expect(done.errors.map((e) => e.line)).toEqual([2, 3, 8]);
    expect(done.errors[0]?.message).toBe("not valid JSON");
    expect(done.errors[1]?.message).toContain("type");
    expect(done.errors[2]?.message).toContain("already exists with different content");
    expect(done.result).toMatchObject({ stored: 2, duplicates: 2 });
    const events = await storedEvents(tenant.project.id);
    expect(
      events.map((e) => e.id).filter((id) => typeof id === "string" && !String(id).startsWith("evt_0")),
    ).toHaveLength(3);
    expect(JSON.stringify(events)).not.toContain("secret-1");
  });

  it("imports the CSV our export writes, with quoted newlines, and names bad rows", async () => {
    const tenant = await createTenant();
    const csv = [
      "timestamp,event_id,type,category,status,summary,changes,user_id,user_email,organization_id",
      '2026-02-01T10:00:00Z,csv_1,commission.updated,activity,success,"Approved, with a comma","{""status"":[""pending"",""approved""]}",u_1,a@example.com,org_1',
      '2026-02-01T11:00:00Z,csv_2,email.sent,email,delivered,"Two\nlines",,,,org_2',
      "2026-02-01T12:00:00Z,csv_3,,activity,,missing type,,,,",
      "2026-02-01T13:00:00Z,csv_4,payout.created,payment,complete,bad changes,{oops,,,",
      "2999-01-01T00:00:00Z,csv_5,payout.created,payment,complete,from the future,,,,",
      `2026-02-01T14:00:00Z,csv_6,note.added,activity,,'=SUM(A1),,,,`,
      '2026-02-01T15:00:00Z,csv_7,note.added,activity,,"unterminated, ""quote,,,,',
    ].join("\r\n");
    const created = await upload(tenant, csv, "text/csv; charset=utf-8");
    await finish(created.id);
    const done = await task(tenant, created.id);
    expect(done).toMatchObject({ status: "done", success_count: 3, failure_count: 4 });
    expect(done.errors.map((e) => e.line)).toEqual([5, 6, 7, 9]);
    expect(done.errors.map((e) => e.message).join(" | ")).toMatch(
      /^type: .*\| changes is not valid JSON \| occurred_at: must not be more than 5 minutes .*\| not valid CSV: Quote Not Closed/,
    );
    const byId = Object.fromEntries((await storedEvents(tenant.project.id)).map((e) => [e.id, e]));
    expect(byId.csv_1).toMatchObject({
      summary: "Approved, with a comma",
      changes: { status: ["pending", "approved"] },
      actor: { id: "u_1" },
      organization_id: "org_1",
    });
    expect(byId.csv_2).toMatchObject({ summary: "Two\nlines", status: "delivered" });
    expect(byId.csv_6).toMatchObject({ summary: "=SUM(A1)" });
  });

  it("reads a file larger than one chunk in several steps, and a repeated step stores nothing twice", async () => {
    const tenant = await createTenant();
    const lines = Array.from({ length: 6000 }, (_, i) =>
      JSON.stringify({
        type: "referral.created",
        summary: `Referral ${i} ${"x".repeat(80)}`,
        occurred_at: "2026-03-01T00:00:00Z",
      }),
    );
    const created = await upload(tenant, lines.join("\n"), "application/x-ndjson");
    const first = await runTaskStep(systemContext(), created.id, TASK_KINDS, { enqueueNext: false });
    expect(first).toBe("continued");
    const mid = await task(tenant, created.id);
    expect(mid.status).toBe("in_progress");
    expect(mid.processed).toBeGreaterThan(0);
    expect(mid.processed).toBeLessThan(6000);
    // The same step again, as a redelivered message would after a lost commit: same rows, same ids.
    await env.DB.prepare(
      "UPDATE tasks SET step = step - 1, checkpoint = NULL, processed = 0, success_count = 0 WHERE id = ?",
    )
      .bind(created.id)
      .run();
    await finish(created.id);
    const done = await task(tenant, created.id);
    expect(done).toMatchObject({ status: "done", processed: 6000, success_count: 6000, failure_count: 0 });
    const { d1, pn } = shardOf(tenant.project);
    const count = await d1.prepare("SELECT count(*) AS n FROM events WHERE pn = ?").bind(pn).first<{ n: number }>();
    expect(count?.n).toBe(6000);
  });

  it("refuses what it cannot import, clearly", async () => {
    const tenant = await createTenant();
    await expectProblem(
      await api("POST", "/v1/imports", {
        key: tenant.keys.ingest,
        rawBody: "a,b",
        headers: { "Content-Type": "application/pdf" },
      }),
      415,
    );
    await expectProblem(
      await api("POST", "/v1/imports", {
        key: tenant.keys.ingest,
        rawBody: "",
        headers: { "Content-Type": "text/csv" },
      }),
      422,
    );
    await expectProblem(
      await api("POST", "/v1/imports", {
        key: tenant.keys.read,
        rawBody: "a",
        headers: { "Content-Type": "text/csv" },
      }),
      403,
    );
    await expectProblem(
      await api("POST", "/v1/imports", { rawBody: "a", headers: { "Content-Type": "text/csv" } }),
      401,
    );
  });
});

async function fileKeyOf(taskId: string): Promise<string> {
  const row = await env.DB.prepare("SELECT json_extract(params, '$.fileKey') AS key FROM tasks WHERE id = ?")
    .bind(taskId)
    .first<{ key: string }>();
  if (!row?.key) throw new Error(`task ${taskId} has no upload`);
  return row.key;
}

async function taskRow(taskId: string): Promise<string> {
  return JSON.stringify(await env.DB.prepare("SELECT * FROM tasks WHERE id = ?").bind(taskId).first());
}

describe("import uploads", () => {
  it("keeps the upload while the import runs, through a repeated step and a sweep, and deletes it at the end", async () => {
    const tenant = await createTenant();
    const lines = Array.from({ length: 6000 }, (_, i) =>
      JSON.stringify({ type: "referral.created", summary: `Referral ${i} ${"x".repeat(80)}` }),
    );
    const created = await upload(tenant, lines.join("\n"), "application/x-ndjson");
    const key = await fileKeyOf(created.id);
    expect(key).toBe(`imports/${tenant.project.id}/${created.id}.jsonl`);
    expect(await runTaskStep(systemContext(), created.id, TASK_KINDS, { enqueueNext: false })).toBe("continued");
    // A crash after the step's work but before its commit: the step runs again from its checkpoint.
    await env.DB.prepare("UPDATE tasks SET step = step - 1, checkpoint = NULL, processed = 0 WHERE id = ?")
      .bind(created.id)
      .run();
    expect(await sweepImportUploads(systemContext(), Date.now() + 24 * 3600_000)).toBe(0);
    expect(await env.FILES.head(key)).not.toBeNull();
    expect(await runTaskStep(systemContext(), created.id, TASK_KINDS, { enqueueNext: false })).toBe("continued");
    expect(await env.FILES.head(key)).not.toBeNull();
    await finish(created.id);
    expect((await task(tenant, created.id)).status).toBe("done");
    expect(await env.FILES.head(key)).toBeNull();
    // A message delivered again after the end finds the task finished, and deleting again is harmless.
    expect(await runTaskStep(systemContext(), created.id, TASK_KINDS, { enqueueNext: false })).toBe("finished");
  });

  it("deletes the upload when the dead-letter queue fails the import, and again when it is delivered twice", async () => {
    const tenant = await createTenant();
    const created = await upload(tenant, JSON.stringify({ type: "a.b" }), "application/x-ndjson");
    const key = await fileKeyOf(created.id);
    for (const id of ["d1", "d2"]) {
      const dead = createMessageBatch("trailbook-dead-letters", [
        { id, timestamp: new Date(), attempts: 10, body: { kind: "task.step", taskId: created.id } },
      ]);
      await worker.queue(dead, env, createExecutionContext());
      expect((await getQueueResult(dead, createExecutionContext())).explicitAcks).toEqual([id]);
      expect((await task(tenant, created.id)).status).toBe("failed");
      expect(await env.FILES.head(key)).toBeNull();
    }
    // A crash between marking it failed and the delete leaves the file: the next delivery removes it.
    await env.FILES.put(key, "left behind");
    await failTask(systemContext(), { taskId: created.id, reason: "again" }, TASK_KINDS);
    expect(await env.FILES.head(key)).toBeNull();
  });

  it("sweeps uploads of ended imports and old uploads without a task, never those of running imports", async () => {
    const tenant = await createTenant();
    const running = await upload(tenant, JSON.stringify({ type: "a.b" }), "application/x-ndjson");
    const ended = await upload(tenant, JSON.stringify({ type: "a.b" }), "application/x-ndjson");
    await finish(ended.id);
    const endedKey = await fileKeyOf(ended.id);
    await env.FILES.put(endedKey, "a crash kept me");
    const orphan = `imports/${tenant.project.id}/tsk_never_recorded.csv`;
    await env.FILES.put(orphan, "password,hunter2");
    expect(await sweepImportUploads(systemContext())).toBe(1);
    expect(await env.FILES.head(endedKey)).toBeNull();
    expect(await env.FILES.head(orphan)).not.toBeNull();
    expect(await sweepImportUploads(systemContext(), Date.now() + 2 * 3600_000)).toBe(1);
    expect(await env.FILES.head(orphan)).toBeNull();
    expect(await env.FILES.head(await fileKeyOf(running.id))).not.toBeNull();
    await finish(running.id);
    expect(await env.FILES.head(await fileKeyOf(running.id))).toBeNull();
  });

  it("keeps no secret of the upload in the task: errors never quote the file", async () => {
    const tenant = await createTenant();
    const secret = "sk_live_5ecret";
    // No header: the first line is data, so nothing of it may be echoed as "unknown columns".
    const headerless = [
      `2026-02-01T10:00:00Z,csv_1,user.login,auth,success,"{""password"":""${secret}""}"`,
      "2026-02-01T10:00:00Z,csv_2,user.login,auth,success,",
    ].join("\r\n");
    // A quote in the middle of a cell: csv-parse's own message would quote the cell.
    const quoted = [
      "timestamp,event_id,type,metadata,secret_note",
      `2026-02-01T10:00:00Z,csv_3,user.login,{password:${secret}"},x`,
      `2026-02-01T10:00:00Z,csv_4,user.login,"{""api_key"":""${secret}""}",y`,
    ].join("\r\n");
    const jsonl = [
      `{"type":"user.login","metadata":{"token":"${secret}"},"extra":"${secret}"}`,
      `{"type":"user.login","request":{"path":"/x?token=${secret}","status_code":"${secret}"}}`,
      `"${secret}"`,
      `{"type":"user.login","request":{"path":"/x?token=${secret}"},"metadata":{"auth":"${secret}"}}`,
    ].join("\n");
    for (const [body, type] of [
      [headerless, "text/csv"],
      [quoted, "text/csv"],
      [jsonl, "application/x-ndjson"],
    ] as const) {
      const created = await upload(tenant, body, type);
      const key = await fileKeyOf(created.id);
      await finish(created.id);
      const done = await task(tenant, created.id);
      expect(done.status).toBe("done");
      expect(done.errors.length).toBeGreaterThan(0);
      expect(await taskRow(created.id)).not.toContain("5ecret");
      expect(await env.FILES.head(key)).toBeNull();
    }
    const headerlessTask = (await env.DB.prepare(
      "SELECT errors FROM tasks WHERE project_id = ? AND type = 'import' ORDER BY id LIMIT 1",
    )
      .bind(tenant.project.id)
      .first<{ errors: string }>()) ?? { errors: "" };
    expect(headerlessTask.errors).toContain("the first line must name the columns");
    expect(JSON.stringify(await storedEvents(tenant.project.id))).not.toContain("5ecret");
    const notes = await env.DB.prepare("SELECT * FROM notifications WHERE project_id = ?")
      .bind(tenant.project.id)
      .all();
    expect(JSON.stringify(notes.results)).not.toContain("5ecret");
    expect((await env.FILES.list({ prefix: `imports/${tenant.project.id}/` })).objects).toEqual([]);
  });
});

describe("queue consumer", () => {
  it("runs steps from messages, acks them, and the dead-letter queue fails the task with its reason", async () => {
    const tenant = await createTenant();
    const created = await upload(
      tenant,
      JSON.stringify({ type: "a.b", occurred_at: "2026-01-01T00:00:00Z" }),
      "application/x-ndjson",
    );
    const batch = createMessageBatch("trailbook-tasks", [
      { id: "m1", timestamp: new Date(), attempts: 1, body: { kind: "task.step", taskId: created.id } },
      { id: "m2", timestamp: new Date(), attempts: 1, body: { kind: "bogus" } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(["m1", "m2"]);
    expect((await task(tenant, created.id)).status).toBe("done");

    const stuck = await upload(tenant, "{}", "application/x-ndjson");
    await env.DB.prepare("UPDATE tasks SET last_error = 'R2 unavailable' WHERE id = ?").bind(stuck.id).run();
    const dead = createMessageBatch("trailbook-dead-letters", [
      { id: "d1", timestamp: new Date(), attempts: 10, body: { kind: "task.step", taskId: stuck.id } },
    ]);
    await worker.queue(dead, env, createExecutionContext());
    const failed = await task(tenant, stuck.id);
    expect(failed.status).toBe("failed");
    expect(failed.errors.at(-1)?.message).toBe("gave up after 10 deliveries: R2 unavailable");
  });
});
