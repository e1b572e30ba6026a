import { describe, expect, it } from "vitest";
import { api, createTenant, expectJson } from "../../fixtures";

type Page = { data: { id: string; occurred_at: string }[]; next_cursor: string | null };

describe("keyset pagination", () => {
  it("returns every event exactly once while new events arrive", async () => {
    const tenant = await createTenant();
    // Several events share each timestamp, so the id breaks ties inside the cursor.
    const base = Date.parse("2026-10-01T00:00:00Z");
    const initial = Array.from({ length: 130 }, (_, i) => ({
      id: `evt_${String(i).padStart(3, "0")}`,
      type: "referral.created",
      occurred_at: base + Math.floor(i / 4) * 60_000,
    }));
    await expectJson(
      await api("POST", "/v1/events/batch", { key: tenant.keys.ingest, body: { events: initial } }),
      201,
    );

    const seen: string[] = [];
    let cursor: string | null = null;
    let arrivals = 0;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : "";
      const page: Page = await expectJson<Page>(
        await api("GET", `/v1/events?limit=25${query}`, { key: tenant.keys.read }),
        200,
      );
      seen.push(...page.data.map((e) => e.id));
      cursor = page.next_cursor;
      // New events arrive between pages: newer ones, and late ones in the middle of the range.
      const late = { id: `late_${arrivals}`, type: "referral.created", occurred_at: base + 30 * 60_000 + arrivals };
      const fresh = { id: `fresh_${arrivals}`, type: "referral.created" };
      await expectJson(
        await api("POST", "/v1/events/batch", { key: tenant.keys.ingest, body: { events: [late, fresh] } }),
        201,
      );
      arrivals++;
    } while (cursor);

    const original = seen.filter((id) => id.startsWith("evt_"));
    expect(new Set(seen).size).toBe(seen.length);
    expect(original.sort()).toEqual(initial.map((e) => e.id).sort());
    expect(seen.some((id) => id.startsWith("fresh_"))).toBe(false);
  });
});
