import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { shardBindings } from "../../../src/db/shard/bindings";
import { noteShardSize } from "../../../src/services/shards/directory";
import { api, createTenant, expectJson, shardOf, systemContext, type Tenant } from "../../fixtures";

// Projects on different shards share nothing: every row an event leaves (the event, its
// dictionary entries and actor, its full text, its picker values, its webhook outbox) is on its
// project's shard only, and each project reads its own, even where the two have the same number
// in their shards and post the same event ids.

/** Events whose every searchable value carries `marker`, with ids both projects use. */
function eventsOf(marker: string) {
  return ["same_1", "same_2", "same_3"].map((id, i) => ({
    id,
    type: `${marker}.happened`,
    category: "activity",
    source: `${marker}-source`,
    summary: `${marker} summary ${i}`,
    actor: { id: `${marker}_actor`, email: `${marker}@example.com` },
    organization_id: `${marker}_org`,
    entity: { type: `${marker}_entity`, id: `${marker}_${i}` },
    changes: { [`${marker}_field`]: [1, 2] },
    occurred_at: new Date(Date.now() - (i + 1) * 60_000).toISOString(),
  }));
}

async function post(tenant: Tenant, marker: string) {
  await expectJson(
    await api("POST", "/v1/events/batch", { key: tenant.keys.ingest, body: { events: eventsOf(marker) } }),
    201,
  );
}

/** How many rows of a shard mention `marker` or belong to the project, table by table. */
async function traces(d1: D1Database, projectId: string, marker: string): Promise<Record<string, number>> {
  const like = `%${marker}%`;
  const count = async (sql: string, ...params: unknown[]) =>
    (await d1
      .prepare(sql)
      .bind(...params)
      .first<number>("n")) ?? 0;
  return {
    shard_projects: await count("SELECT count(*) AS n FROM shard_projects WHERE project_id = ?", projectId),
    events: await count("SELECT count(*) AS n FROM events WHERE data LIKE ?", like),
    terms: await count("SELECT count(*) AS n FROM terms WHERE value LIKE ?", like),
    actors: await count("SELECT count(*) AS n FROM actors WHERE actor_id LIKE ?1 OR email LIKE ?1", like),
    full_text: await count("SELECT count(*) AS n FROM events_fts WHERE events_fts MATCH ?", `body : ${marker}*`),
    changes: await count(
      "SELECT count(*) AS n FROM event_changes c JOIN terms t ON t.id = c.field WHERE t.value LIKE ?",
      like,
    ),
    facets: await count(
      "SELECT count(*) AS n FROM event_facets f JOIN terms t ON t.id = f.value AND f.facet <> 5 WHERE t.value LIKE ?",
      like,
    ),
    outbox: await count("SELECT count(*) AS n FROM webhook_outbox"),
  };
}

describe("shard isolation", () => {
  it("places consecutive projects on different shards of their region and keeps every row of each on its own", async () => {
    const first = await createTenant();
    await post(first, "alpha");
    // The first project's shard measured as holding more (ingest and the cron note D1's sizes;
    // local D1 reports the same size for these small databases).
    await noteShardSize(systemContext(), shardOf(first.project).binding, 50_000_000);
    const second = await createTenant();
    const european = await createTenant({ region: "eu" });
    const homes = [shardOf(first.project), shardOf(second.project), shardOf(european.project)];
    expect(homes[0]?.binding).not.toBe(homes[1]?.binding);
    expect(homes.map((h) => h.binding.startsWith("EVENTS_EU_"))).toEqual([false, false, true]);

    // A webhook endpoint on each, so ingest writes outbox rows (relayed at once).
    for (const tenant of [first, second, european]) {
      await expectJson(
        await api("POST", "/v1/webhooks", {
          key: tenant.keys.admin,
          body: { url: "https://receiver.example/hooks", event_types: ["*"] },
        }),
        201,
      );
    }
    await post(second, "bravo");
    await post(european, "charlie");

    const tenants: [Tenant, string][] = [
      [first, "alpha"],
      [second, "bravo"],
      [european, "charlie"],
    ];
    for (const [tenant, marker] of tenants) {
      const home = shardOf(tenant.project);
      for (const { binding, d1 } of shardBindings(env)) {
        const found = await traces(d1, tenant.project.id, marker);
        if (binding === home.binding) {
          expect(found, `${marker} on its home ${binding}`).toMatchObject({
            shard_projects: 1,
            events: 3,
            // org, entity type, changed field, the field of its entity type, the marker's type
            terms: 6,
            actors: 1,
            full_text: 3,
            changes: 3,
            outbox: 0,
          });
          expect(found.facets, binding).toBeGreaterThan(0);
        } else {
          expect(found, `${marker} on ${binding}`).toEqual({
            shard_projects: 0,
            events: 0,
            terms: 0,
            actors: 0,
            full_text: 0,
            changes: 0,
            facets: 0,
            outbox: 0,
          });
        }
      }

      // Through the API, each project sees its own version of the shared ids, and nothing else.
      const page = await expectJson<{ data: { id: string; type: string }[] }>(
        await api("GET", "/v1/events?limit=100", { key: tenant.keys.read }),
        200,
      );
      const posted = page.data.filter((e) => e.id.startsWith("same_"));
      expect(posted.map((e) => e.type)).toEqual(Array(3).fill(`${marker}.happened`));
      expect(page.data.every((e) => e.id.startsWith("same_") || e.type === "webhook.created")).toBe(true);
      const one = await expectJson<{ type: string }>(
        await api("GET", "/v1/events/same_1", { key: tenant.keys.read }),
        200,
      );
      expect(one.type).toBe(`${marker}.happened`);
      for (const [, other] of tenants.filter(([, m]) => m !== marker)) {
        const search = await expectJson<{ data: unknown[] }>(
          await api("GET", `/v1/events?q=${other}`, { key: tenant.keys.read }),
          200,
        );
        expect(search.data, `${other} searched in ${marker}'s project`).toEqual([]);
      }
    }
  });
});
