import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { TASK_KINDS } from "../../../src/queues/tasks";
import { createDigests } from "../../../src/services/integrity/digests";
import { startRetention } from "../../../src/services/retention/run";
import { runTaskStep } from "../../../src/services/tasks/engine";
import {
  api,
  createMember,
  createTenant,
  dash,
  expectJson,
  projectContext,
  signIn,
  systemContext,
} from "../../fixtures";

describe("integrity page", () => {
  it("shows the digests, verifies a range, and lets admins download archives", async () => {
    const tenant = await createTenant();
    const old = new Date(Date.now() - 500 * 24 * 3600_000).toISOString();
    await expectJson(
      await api("POST", "/v1/events/batch", {
        key: tenant.keys.ingest,
        body: {
          events: [
            { id: "a", type: "x.y" },
            { id: "old", type: "x.y", occurred_at: old },
          ],
        },
      }),
      201,
    );
    // Signed in before the (test's early) digests, as the sign-in is an event of this hour too.
    const admin = await signIn(await createMember(tenant, "admin"));
    const member = await signIn(await createMember(tenant, "member"));
    await createDigests(projectContext(tenant.project), Date.now() + 2 * 3600_000);
    const page = await (await dash("GET", `/p/${tenant.project.id}/integrity?verify=1`, { cookie: admin })).text();
    expect(page).toMatch(/All \d+ windows check out/);
    expect(page).toContain("Latest digests");

    await env.DB.prepare("UPDATE projects SET archive_enabled = 1 WHERE id = ?").bind(tenant.project.id).run();
    await startRetention(systemContext());
    const task = await env.DB.prepare("SELECT id FROM tasks WHERE project_id = ? AND type = 'retention'")
      .bind(tenant.project.id)
      .first<{ id: string }>();
    while ((await runTaskStep(systemContext(), task?.id ?? "", TASK_KINDS, { enqueueNext: false })) === "continued");
    const after = await (await dash("GET", `/p/${tenant.project.id}/integrity?verify=1`, { cookie: admin })).text();
    expect(after).toMatch(/pruned by retention/);
    const link = /href="(\/p\/[^"]+\/archives\/download\?file=[^"]+)"/.exec(after)?.[1]?.replace(/&amp;/g, "&");
    if (!link) throw new Error("no archive listed");
    const file = await dash("GET", link, { cookie: admin });
    expect(file.status).toBe(200);
    const lines = (await new Response(file.body?.pipeThrough(new DecompressionStream("gzip"))).text())
      .trim()
      .split("\n");
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ id: "old" });

    expect((await dash("GET", link, { cookie: member })).status).toBe(403);
    expect(await (await dash("GET", `/p/${tenant.project.id}/integrity`, { cookie: member })).text()).not.toContain(
      "archives/download",
    );
    expect(
      (
        await dash(
          "GET",
          `/p/${tenant.project.id}/archives/download?file=${encodeURIComponent("exports/other/x.csv")}`,
          { cookie: admin },
        )
      ).status,
    ).toBe(404);
  });
});
