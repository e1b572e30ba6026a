import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, createTenant, expectJson } from "../fixtures";

async function seed() {
  const tenant = await createTenant();
  await expectJson(
    await api("POST", "/v1/events/batch", {
      key: tenant.keys.ingest,
      body: {
        events: [
          {
            id: "old",
            type: "commission.updated",
            occurred_at: "2025-01-01T00:00:00Z",
            summary: "ancient",
            changes: { status: ["a", "b"] },
          },
          { id: "new", type: "commission.updated", occurred_at: "2026-11-01T00:00:00Z", summary: "recent" },
        ],
      },
    }),
    201,
  );
  return tenant;
}

const count = async (sql: string, ...params: unknown[]) =>
  (
    await env.DB.prepare(sql)
      .bind(...params)
      .first<{ n: number }>()
  )?.n ?? 0;

describe("append-only events", () => {
  it("refuses UPDATE of an event", async () => {
    const tenant = await seed();
    await expect(
      env.DB.prepare("UPDATE events SET type = 'changed' WHERE project_id = ?").bind(tenant.project.id).run(),
    ).rejects.toThrow(/append-only/);
    await expect(
      env.DB.prepare("UPDATE event_changes SET field = 'x' WHERE project_id = ?").bind(tenant.project.id).run(),
    ).rejects.toThrow(/append-only/);
  });

  it("refuses DELETE outside retention", async () => {
    const tenant = await seed();
    await expect(
      env.DB.prepare("DELETE FROM events WHERE project_id = ?").bind(tenant.project.id).run(),
    ).rejects.toThrow(/only be deleted by retention/);
    expect(await count("SELECT count(*) AS n FROM events WHERE project_id = ?", tenant.project.id)).toBe(2);
  });

  it("allows the retention path to delete events older than the cutoff, with their index rows", async () => {
    const tenant = await seed();
    const cutoff = Date.parse("2026-01-01T00:00:00Z");
    const old = await env.DB.prepare("SELECT seq FROM events WHERE project_id = ? AND id = 'old'")
      .bind(tenant.project.id)
      .first<{ seq: number }>();
    await env.DB.prepare("INSERT INTO retention_cutoffs (project_id, cutoff) VALUES (?, ?)")
      .bind(tenant.project.id, cutoff)
      .run();
    // The newer event stays protected even with a cutoff in place.
    await expect(
      env.DB.prepare("DELETE FROM events WHERE project_id = ? AND id = 'new'").bind(tenant.project.id).run(),
    ).rejects.toThrow();
    await env.DB.prepare("DELETE FROM events WHERE project_id = ? AND occurred_at < ?")
      .bind(tenant.project.id, cutoff)
      .run();
    expect(await count("SELECT count(*) AS n FROM events WHERE project_id = ?", tenant.project.id)).toBe(1);
    expect(await count("SELECT count(*) AS n FROM event_changes WHERE project_id = ?", tenant.project.id)).toBe(0);
    const ftsRows = async (word: string) =>
      (
        await env.DB.prepare("SELECT rowid AS seq FROM events_fts WHERE events_fts MATCH ?")
          .bind(word)
          .all<{ seq: number }>()
      ).results.map((r) => r.seq);
    expect(await ftsRows("ancient")).not.toContain(old?.seq);
    expect(await ftsRows("recent")).toContain((old?.seq ?? 0) + 1);
  });
});
