import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import {
  api,
  createMember,
  createTenant,
  dash,
  expectJson,
  signIn,
  storedEvents,
  systemContext,
  type Tenant,
} from "../../fixtures";

let tenant: Tenant;

beforeAll(async () => {
  tenant = await createTenant();
  const events = [
    { id: "n1", type: "commission.updated", organization_id: "org_9", summary: "=1+1 nine" },
    {
      id: "n2",
      type: "payout.created",
      category: "payment",
      status: "failed",
      organization_id: "org_9",
      summary: "Nine's payout",
    },
    { id: "s1", type: "commission.updated", organization_id: "org_7", summary: "Seven's commission" },
    { id: "c1", type: "api_key.revoked", category: "configuration", organization_id: "org_9", summary: "Config" },
  ];
  await expectJson(await api("POST", "/v1/events/batch", { key: tenant.keys.ingest, body: { events } }), 201);
});

async function exportCsv(cookie: string, explorerQuery: string): Promise<Record<string, string>[]> {
  const confirm = await (await dash("GET", `/p/${tenant.project.id}/exports/new${explorerQuery}`, { cookie })).text();
  const hidden = Object.fromEntries(
    [...confirm.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [
      m[1] ?? "",
      (m[2] ?? "").replace(/&quot;/g, '"').replace(/&amp;/g, "&"),
    ]),
  );
  const created = await dash("POST", `/p/${tenant.project.id}/exports`, { cookie, form: { ...hidden, format: "csv" } });
  expect(created.status).toBe(303);
  const location = created.headers.get("Location") ?? "";
  expect(location).toMatch(/\/exports\/exp_[a-z0-9]+\/download$/);
  const file = await dash("GET", location, { cookie });
  expect(file.status).toBe(200);
  return parse(await file.text(), { columns: true }) as Record<string, string>[];
}

describe("dashboard exports", () => {
  it("confirms with the row count, then downloads the current filters at once", async () => {
    const cookie = await signIn(await createMember(tenant, "admin"));
    const confirm = await (
      await dash("GET", `/p/${tenant.project.id}/exports/new?view=payments&status=failed`, { cookie })
    ).text();
    expect(confirm).toContain("<strong>1</strong> event matches");
    expect(confirm).toContain('value="csv"');
    const rows = await exportCsv(cookie, "?view=payments&status=failed");
    expect(rows.map((r) => r.event_id)).toEqual(["n2"]);
    const list = await (await dash("GET", `/p/${tenant.project.id}/exports`, { cookie })).text();
    // Filters in words, not the search syntax or ISO times they are stored as.
    expect(list).toContain("Payments · failed · last 24 hours");
    expect(list).not.toContain("category:payment");
    expect(list).toMatch(/>Download</);
    const logged = (await storedEvents(tenant.project.id)).find((e) => e.type === "export.created");
    expect(logged).toMatchObject({ category: "activity", source: "dashboard", actor: { type: "team_member" } });
  });

  it("gives a partner viewer only their organisation's events, with formulas neutralised", async () => {
    const partner = await signIn(await createMember(tenant, "viewer", { organizationId: "org_9" }));
    // Asking for another organisation does not widen the scope: the partner's own commissions come back.
    const rows = await exportCsv(partner, "?range=all&organization_id=org_7&type=commission.*");
    expect(rows.map((r) => r.event_id)).toEqual(["n1"]);
    const all = await exportCsv(partner, "?range=all");
    const ids = all.map((r) => r.event_id);
    expect(ids).toEqual(expect.arrayContaining(["n1", "n2"]));
    expect(ids).not.toContain("s1");
    expect(ids).not.toContain("c1");
    expect(all.every((r) => r.organization_id === "org_9")).toBe(true);
    expect(all.find((r) => r.event_id === "n1")?.summary).toBe("'=1+1 nine");

    // Other people's exports are not theirs to see or download.
    const admin = await signIn(await createMember(tenant, "admin"));
    const confirm = await (
      await dash("GET", `/p/${tenant.project.id}/exports/new?range=all`, { cookie: admin })
    ).text();
    const hidden = Object.fromEntries(
      [...confirm.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [
        m[1] ?? "",
        m[2] ?? "",
      ]),
    );
    const created = await dash("POST", `/p/${tenant.project.id}/exports`, {
      cookie: admin,
      form: { ...hidden, format: "jsonl" },
    });
    const download = created.headers.get("Location") ?? "";
    expect((await dash("GET", download, { cookie: partner })).status).toBe(404);
    expect(await (await dash("GET", `/p/${tenant.project.id}/exports`, { cookie: partner })).text()).not.toContain(
      download.split("/")[4] ?? "x",
    );
  });

  it("shows tasks with filters and a progress fragment that stops polling when done", async () => {
    const cookie = await signIn(await createMember(tenant, "owner"));
    await exportCsv(cookie, "?range=all");
    const list = await (await dash("GET", `/p/${tenant.project.id}/tasks?type=export&status=done`, { cookie })).text();
    const taskId = /\/tasks\/(tsk_[a-z0-9]+)"/.exec(list)?.[1];
    if (!taskId) throw new Error("no task listed");
    const detail = await (await dash("GET", `/p/${tenant.project.id}/tasks/${taskId}`, { cookie })).text();
    expect(detail).toContain("Processing time");
    const progress = await dash("GET", `/p/${tenant.project.id}/tasks/${taskId}/progress`, {
      cookie,
      headers: { "HX-Request": "true" },
    });
    expect(progress.status).toBe(286);
    expect(await progress.text()).toContain('<progress max="100" value="100"');
    const member = await signIn(await createMember(tenant, "viewer"));
    expect((await dash("GET", `/p/${tenant.project.id}/tasks`, { cookie: member })).status).toBe(403);
  });

  it("imports an uploaded file and reports it in the history", async () => {
    const cookie = await signIn(await createMember(tenant, "admin"));
    const form = new FormData();
    form.set("file", new File([`${JSON.stringify({ id: "up_1", type: "a.b" })}\n{bad`], "history.jsonl", { type: "" }));
    const { exports } = await import("cloudflare:workers");
    const response = await exports.default.fetch(
      new Request(`http://trailbook.test/p/${tenant.project.id}/imports`, {
        method: "POST",
        body: form,
        headers: { Cookie: cookie, Origin: "http://trailbook.test" },
        redirect: "manual",
      }),
    );
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toMatch(/\/tasks\/tsk_/);
    const history = await (await dash("GET", `/p/${tenant.project.id}/imports`, { cookie })).text();
    expect(history).toContain("Import of history.jsonl");
    // Its kind and source, beside one made through the API.
    expect(history).toContain("JSON Lines upload · dashboard");
    const viaApi = await api("POST", "/v1/imports", {
      key: tenant.keys.admin,
      rawBody: "id,type\r\n",
      headers: { "Content-Type": "text/csv" },
    });
    expect(viaApi.status, await viaApi.clone().text()).toBe(202);
    const { id } = (await viaApi.json()) as { id: string };
    const again = await (await dash("GET", `/p/${tenant.project.id}/imports`, { cookie })).text();
    expect(again).toContain("CSV · API");
    const detail = await (await dash("GET", `/p/${tenant.project.id}/tasks/${id}`, { cookie })).text();
    expect(detail).toContain("Kind and source");
    expect(detail).toContain("CSV · API");
  });
});

describe("notifications of finished tasks", () => {
  it("tells the member who exported, with an unread badge, archived per member", async () => {
    const project = await createTenant();
    const owner = await signIn(await createMember(project, "owner"));
    const colleague = await signIn(await createMember(project, "admin"));
    const created = await dash("POST", `/p/${project.project.id}/exports`, {
      cookie: owner,
      form: { format: "jsonl" },
    });
    expect(created.status).toBe(303);
    const events = await (await dash("GET", `/p/${project.project.id}/events`, { cookie: owner })).text();
    expect(events).toContain("Notifications (1)");
    const page = await (await dash("GET", `/p/${project.project.id}/notifications`, { cookie: owner })).text();
    expect(page).toMatch(/Export ready: \d+ events/);
    expect(await (await dash("GET", `/p/${project.project.id}/notifications`, { cookie: colleague })).text()).toContain(
      "You are all caught up.",
    );

    // An export started with an API key concerns everyone.
    const apiExport = await expectJson<{ task_id: string }>(
      await api("POST", "/v1/exports", { key: project.keys.read, body: { format: "csv" } }),
      202,
    );
    const { runTaskStep } = await import("../../../src/services/tasks/engine");
    const { TASK_KINDS } = await import("../../../src/queues/tasks");
    while ((await runTaskStep(systemContext(), apiExport.task_id, TASK_KINDS, { enqueueNext: false })) === "continued");
    expect(await (await dash("GET", `/p/${project.project.id}/events`, { cookie: colleague })).text()).toContain(
      "Notifications (1)",
    );

    const id = /\/notifications\/(ntf_[A-Za-z0-9_]+)\/archive/.exec(page)?.[1];
    if (!id) throw new Error("no notification to archive");
    await dash("POST", `/p/${project.project.id}/notifications/${id}/archive`, { cookie: owner });
    const after = await (await dash("GET", `/p/${project.project.id}/notifications`, { cookie: owner })).text();
    expect(after).not.toContain(`/notifications/${id}/archive`);
    // The API-started export's notification is still there for the owner until archived too.
    expect(after).toContain("/archive");
    await dash("POST", `/p/${project.project.id}/notifications/archive`, { cookie: owner });
    expect(await (await dash("GET", `/p/${project.project.id}/notifications`, { cookie: owner })).text()).toContain(
      "You are all caught up.",
    );
    expect(
      await (await dash("GET", `/p/${project.project.id}/notifications?archived=1`, { cookie: owner })).text(),
    ).toMatch(/Export ready/);
    expect(await (await dash("GET", `/p/${project.project.id}/events`, { cookie: colleague })).text()).toContain(
      "Notifications (1)",
    );
  });
});
