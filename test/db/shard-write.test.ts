import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type ShardEvent, storeStatements } from "../../src/db/shard/write";

function event(i: number, extra: Partial<ShardEvent> = {}): ShardEvent {
  const id = `evt_${i}`;
  return {
    occurredAt: 1_780_000_000_000 + i * 1000,
    receivedAt: 1_780_000_100_000,
    hash: (i % 256).toString(16).padStart(2, "0").repeat(32),
    data: JSON.stringify({
      id,
      type: "commission.updated",
      summary: `approved number${i}`,
      changes: { status: [1, 2] },
    }),
    category: "activity",
    type: "commission.updated",
    status: i % 2 ? "success" : null,
    source: "api",
    actorType: "team_member",
    actorId: `u_${i % 3}`,
    actorName: null,
    actorEmail: `u${i % 3}@example.com`,
    entityType: "commission",
    organizationId: i % 2 ? "org_a" : "org_b",
    changedFields: ["status"],
    metadataKeys: [],
    ...extra,
  };
}

describe("storing events in a shard", () => {
  it("writes events, their terms, facets per project and organisation, counts, full text, changes and the outbox in one batch", async () => {
    const d1 = env.EVENTS_3;
    await d1.prepare("INSERT INTO shard_projects (project_id) VALUES ('prj_one'), ('prj_two')").run();
    const rows = Array.from({ length: 10 }, (_, i) => event(i));
    await d1.batch(
      storeStatements(d1, 2, rows, [
        { endpointId: "whe_1", eventId: "evt_1", eventType: "commission.updated", requestId: null },
      ]).statements,
    );
    const stored = await d1
      .prepare(
        `SELECT e.id, lower(hex(e.hash)) AS hash, t.value AS type, s.value AS status, o.value AS org, a.actor_id, a.email
         FROM events e JOIN terms t ON t.id = e.type LEFT JOIN terms s ON s.id = e.status
         LEFT JOIN terms o ON o.id = e.organization LEFT JOIN actors a ON a.id = e.actor WHERE e.pn = 2 ORDER BY e.seq`,
      )
      .all();
    expect(stored.results).toHaveLength(10);
    expect(stored.results[1]).toEqual({
      id: "evt_1",
      hash: "01".repeat(32),
      type: "commission.updated",
      status: "success",
      org: "org_a",
      actor_id: "u_1",
      email: "u1@example.com",
    });
    expect(stored.results[0]).toMatchObject({ status: null, org: "org_b" });
    const facets = await d1
      .prepare(
        `SELECT coalesce(o.value, '-') AS org, f.facet, coalesce(t.value, a.actor_id) AS value FROM event_facets f
         LEFT JOIN terms o ON o.id = f.organization LEFT JOIN terms t ON t.id = f.value AND f.facet <> 5
         LEFT JOIN actors a ON a.id = f.value AND f.facet = 5 WHERE f.pn = 2 AND f.facet IN (3, 5) ORDER BY 1, 2, 3`,
      )
      .all();
    expect(facets.results).toEqual([
      { org: "-", facet: 3, value: "success" },
      { org: "-", facet: 5, value: "u_0" },
      { org: "-", facet: 5, value: "u_1" },
      { org: "-", facet: 5, value: "u_2" },
      { org: "org_a", facet: 3, value: "success" },
      { org: "org_a", facet: 5, value: "u_0" },
      { org: "org_a", facet: 5, value: "u_1" },
      { org: "org_a", facet: 5, value: "u_2" },
      { org: "org_b", facet: 5, value: "u_0" },
      { org: "org_b", facet: 5, value: "u_1" },
      { org: "org_b", facet: 5, value: "u_2" },
    ]);
    expect(await d1.prepare("SELECT sum(n) AS n FROM event_counts WHERE pn = 2").first("n")).toBe(10);
    expect(await d1.prepare("SELECT count(*) AS n FROM event_changes WHERE pn = 2").first("n")).toBe(10);
    const day = Math.floor(1_780_000_000_000 / 86_400_000);
    const found = await d1
      .prepare("SELECT rowid FROM events_fts WHERE events_fts MATCH ?")
      .bind(`body : number7 AND bucket : "d2x${day}"`)
      .all();
    expect(found.results).toHaveLength(1);
    const other = await d1
      .prepare("SELECT rowid FROM events_fts WHERE events_fts MATCH ?")
      .bind(`body : number7 AND bucket : "d1x${day}"`)
      .all();
    expect(other.results).toHaveLength(0);
    expect(await d1.prepare("SELECT event_id FROM webhook_outbox WHERE pn = 2").first("event_id")).toBe("evt_1");
  });

  it("refuses a frozen project's batch whole, and the same id twice", async () => {
    const d1 = env.EVENTS_2;
    await d1.prepare("INSERT INTO shard_projects (project_id, frozen) VALUES ('prj_frozen', 1), ('prj_ok', 0)").run();
    await expect(d1.batch(storeStatements(d1, 1, [event(1)]).statements)).rejects.toThrow(/CHECK/);
    expect(await d1.prepare("SELECT count(*) AS n FROM events").first("n")).toBe(0);
    expect(await d1.prepare("SELECT count(*) AS n FROM terms").first("n")).toBe(0);
    await d1.batch(storeStatements(d1, 2, [event(1)]).statements);
    await expect(d1.batch(storeStatements(d1, 2, [event(1)]).statements)).rejects.toThrow(/UNIQUE/);
    expect(await d1.prepare("SELECT sum(n) AS n FROM event_counts").first("n")).toBe(1);
  });
});
