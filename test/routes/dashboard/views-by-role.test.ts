import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { dataExports } from "../../../src/db/schema";
import { HIDEABLE_VIEWS } from "../../../src/services/projects/view-access";
import {
  api,
  createMember,
  createTenant,
  dash,
  expectJson,
  followRedirect,
  signIn,
  systemContext,
} from "../../fixtures";

const rowIds = (html: string) =>
  [...html.matchAll(/<tr data-event-id="([^"]+)"/g)].map((m) => m[1] ?? "").filter((id) => !id.startsWith("evt_"));

describe("views by role", () => {
  it("hides a view from members when an admin says so: its tab, its events everywhere, its exports", async () => {
    const tenant = await createTenant();
    await expectJson(
      await api("POST", "/v1/events/batch", {
        key: tenant.keys.ingest,
        body: {
          events: [
            { id: "prog_1", type: "referral.updated", category: "activity", summary: "Referral changed" },
            { id: "pay_1", type: "payout.created", category: "payment", status: "complete" },
          ],
        },
      }),
      201,
    );
    const admin = await signIn(await createMember(tenant, "admin"));
    const member = await signIn(await createMember(tenant, "member"));
    const viewer = await signIn(await createMember(tenant, "viewer"));
    const base = `/p/${tenant.project.id}`;

    // Every view ticked for both roles, except Activity for members.
    const form: Record<string, string> = {};
    for (const role of ["member", "viewer"])
      for (const view of HIDEABLE_VIEWS)
        if (!(role === "member" && view.id === "activity")) form[`${role}.${view.id}`] = "1";
    expect((await dash("POST", `${base}/settings/views`, { cookie: member, form })).status).toBe(403);
    const saved = await dash("POST", `${base}/settings/views`, { cookie: admin, form });
    expect(saved.status).toBe(303);
    const settings = await (await followRedirect(saved, admin)).text();
    expect(settings).toContain("Views by role saved.");
    expect(settings).toMatch(/<input type="checkbox" name="member\.activity" value="1" aria-label/);
    expect(settings).toMatch(/<input type="checkbox" name="viewer\.activity" value="1" checked=""/);

    const memberAll = await (await dash("GET", `${base}/events`, { cookie: member })).text();
    expect(rowIds(memberAll)).toEqual(["pay_1"]);
    expect(memberAll).not.toContain(">Activity</a>");
    const asked = await (await dash("GET", `${base}/events?view=activity`, { cookie: member })).text();
    expect(asked).toContain("The Activity view is not shown to your role here; showing All.");
    expect(rowIds(asked)).toEqual(["pay_1"]);
    expect((await dash("GET", `${base}/events/prog_1`, { cookie: member })).status).toBe(404);
    expect(rowIds(await (await dash("GET", `${base}/events?category=activity`, { cookie: member })).text())).toEqual(
      [],
    );
    // Their exports hold what they see, and keep to it while they run.
    const exported = await dash("POST", `${base}/exports`, { cookie: member, form: { format: "jsonl" } });
    expect(exported.status).toBe(303);
    const rows = await systemContext()
      .db.select()
      .from(dataExports)
      .where(eq(dataExports.projectId, tenant.project.id));
    expect(rows.map((r) => r.scope.hiddenCategories)).toEqual([["activity"]]);
    const count = async (query: string) =>
      (
        await expectJson<{ count: number }>(
          await api("GET", `/v1/events/count${query}`, { key: tenant.keys.read }),
          200,
        )
      ).count;
    // All but the program activity, and the configuration activity members never see.
    expect(rows[0]?.rowCount).toBe((await count("")) - (await count("?category=activity,configuration")));

    // Viewers, admins and the API still see it.
    for (const cookie of [viewer, admin]) {
      const html = await (await dash("GET", `${base}/events?view=activity`, { cookie })).text();
      expect(rowIds(html)).toContain("prog_1");
    }
    const viaApi = await expectJson<{ data: { id: string }[] }>(
      await api("GET", "/v1/events?category=activity", { key: tenant.keys.read }),
      200,
    );
    expect(viaApi.data.map((e) => e.id)).toContain("prog_1");
  }, 30_000);
});
