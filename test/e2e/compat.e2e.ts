import { Client as Retraced } from "@retracedhq/retraced";
import { WorkOS } from "@workos-inc/node";
import { describe, expect, inject, it } from "vitest";

const base = inject("baseUrl");
const apiKey = inject("apiKey");
const projectId = inject("projectId");
const url = new URL(base);

async function events(query: string): Promise<
  {
    id: string;
    type: string;
    organization_id?: string;
    metadata?: Record<string, unknown>;
    status?: string;
    lifecycle_action?: string;
    request?: { ip?: string };
  }[]
> {
  const response = await fetch(`${base}/v1/events?${query}`, { headers: { Authorization: `Bearer ${apiKey}` } });
  return ((await response.json()) as { data: [] }).data;
}

describe("WorkOS SDK, unmodified", () => {
  const workos = new WorkOS(apiKey, { apiHostname: url.hostname, port: Number(url.port), https: false });
  const event = {
    action: "user.signed_in",
    occurredAt: new Date(),
    actor: { type: "user", id: "user_01", name: "Jane Doe", metadata: { role: "admin" } },
    targets: [{ type: "team", id: "team_01", name: "Core" }],
    context: { location: "203.0.113.7", userAgent: "Mozilla/5.0" },
    metadata: { plan: "pro" },
  };

  it("creates events, and a retry with the same idempotency key stores one", async () => {
    await workos.auditLogs.createEvent("org_workos", event, { idempotencyKey: "idem-1" });
    await workos.auditLogs.createEvent("org_workos", event, { idempotencyKey: "idem-1" });
    const stored = await events("organization_id=org_workos");
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      type: "user.signed_in",
      organization_id: "org_workos",
      request: { ip: "203.0.113.7" },
      metadata: { plan: "pro", received_via: "workos" },
    });
    await expect(
      workos.auditLogs.createEvent("org_workos", { ...event, action: "user.signed_out" }, { idempotencyKey: "idem-1" }),
    ).rejects.toMatchObject({ name: "BadRequestException", status: 400 });
  });

  it("answers invalid events and bad keys with the SDK's own exceptions", async () => {
    await expect(workos.auditLogs.createEvent("org_workos", { ...event, action: "" })).rejects.toMatchObject({
      name: "UnprocessableEntityException",
      status: 422,
    });
    const stranger = new WorkOS("tb_not_a_key", { apiHostname: url.hostname, port: Number(url.port), https: false });
    await expect(stranger.auditLogs.createEvent("org_workos", event)).rejects.toMatchObject({
      name: "UnauthorizedException",
    });
    await expect(workos.auditLogs.getExport("exp_nope")).rejects.toMatchObject({ name: "NotFoundException" });
  });

  it("exports until ready, with a URL that downloads the CSV", async () => {
    const created = await workos.auditLogs.createExport({
      organizationId: "org_workos",
      rangeStart: new Date(Date.now() - 3600_000),
      rangeEnd: new Date(Date.now() + 60_000),
    });
    expect(created).toMatchObject({ object: "audit_log_export", state: "pending" });
    let current = created;
    for (let i = 0; i < 60 && current.state === "pending"; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      current = await workos.auditLogs.getExport(created.id);
    }
    expect(current.state).toBe("ready");
    const file = await fetch(current.url ?? "");
    expect(file.status).toBe(200);
    const csv = await file.text();
    expect(csv.split("\r\n")[0]).toContain("timestamp,event_id");
    expect(csv).toContain("user.signed_in");
  }, 90_000);
});

describe("Retraced client, unmodified", () => {
  const retraced = new Retraced({ apiKey, projectId, endpoint: base });
  const event = {
    action: "document.edited",
    crud: "u" as const,
    group: { id: "org_retraced", name: "Acme" },
    actor: { id: "u_9", name: "Bob: the builder", href: "https://example.com/u/9" },
    target: { id: "doc:42", name: "Plan", type: "document" },
    source_ip: "198.51.100.4",
    description: "Bob edited the plan",
    is_failure: false,
    fields: { "old=title": "a;b", "new%title": "c:d" },
  };

  it("reports an event and a bulk, and the client's own hash check passes", async () => {
    const id = await retraced.reportEvent(event);
    expect(id).toMatch(/^evt_/);
    const ids = await retraced.reportEvents([
      event,
      { ...event, action: "document.viewed", crud: "r", is_failure: true, fields: undefined },
    ]);
    expect(ids).toHaveLength(2);
    const stored = await events("organization_id=org_retraced");
    expect(stored).toHaveLength(3);
    expect(stored.find((e) => e.type === "document.viewed")).toMatchObject({
      status: "failure",
      lifecycle_action: "read",
      metadata: { received_via: "retraced" },
    });
  });

  it("validates like Retraced's server and keeps projects apart", async () => {
    await expect(retraced.reportEvent({ action: "x.y", crud: "c" })).rejects.toThrow(/400/);
    await expect(retraced.reportEvent({ action: "x.y", crud: "c", is_anonymous: true })).resolves.toMatch(/^evt_/);
    await expect(retraced.reportEvent({ ...event, crud: "z" as "c" })).rejects.toThrow(/400/);
    const badKey = new Retraced({ apiKey: "tb_not_a_key", projectId, endpoint: base });
    await expect(badKey.reportEvent(event)).rejects.toThrow(/401/);
    await expect(retraced.reportEvents(Array.from({ length: 51 }, () => event))).rejects.toThrow(/400/);
    const elsewhere = new Retraced({ apiKey, projectId: "prj_someone_else", endpoint: base });
    await expect(elsewhere.reportEvent(event)).rejects.toThrow(/404/);
    const response = await fetch(`${base}/publisher/v1/project/${projectId}/event`, {
      method: "POST",
      headers: { Authorization: `Token token=${apiKey}`, "Content-Type": "application/json" },
      body: JSON.stringify(event),
    });
    expect(response.status).toBe(201);
  });
});
