import { describe, expect, it } from "vitest";
import { parseExplorerState } from "../../../src/routes/dashboard/explorer-state";
import { detailProps, explorerChips, moreLinks, rowContext } from "../../../src/routes/dashboard/explorer-view";

// The explorer's view model: every chip and link is the URL's state with one thing changed.

const site = { projectId: "prj_1", timezone: "Europe/Berlin" };
const base = "/p/prj_1/events";
const stateOf = (query: Record<string, string>) => parseExplorerState(query, undefined).state;
const byLabel = <T extends { label: string }>(chips: T[], label: string) => chips.find((c) => c.label === label);

describe("explorer chips", () => {
  const state = stateOf({ view: "payments", status: "failed", type: "payout.*", search: "bank", time: "utc" });

  it("offers the views as tabs, Configuration only to those who see it, keeping filters but not the status", () => {
    const admin = explorerChips(state, site, true);
    expect(admin.tabs.map((t) => t.label)).toContain("Configuration");
    expect(explorerChips(state, site, false).tabs.map((t) => t.label)).not.toContain("Configuration");
    expect(byLabel(admin.tabs, "Payments")).toMatchObject({ active: true });
    expect(byLabel(admin.tabs, "All")).toEqual({
      label: "All",
      href: `${base}?search=bank&type=payout.*&time=utc`,
      active: false,
    });
  });

  it("gives the view's statuses with List all, the current one active", () => {
    const { statusChips } = explorerChips(state, site, false);
    expect(statusChips.map((c) => c.label)).toEqual([
      "List all",
      "failed",
      "processing",
      "transit",
      "complete",
      "rollback",
    ]);
    expect(statusChips.filter((c) => c.active).map((c) => c.label)).toEqual(["failed"]);
    expect(byLabel(statusChips, "List all")?.href).not.toContain("status=");
    expect(byLabel(statusChips, "complete")?.href).toContain("status=complete");
    expect(explorerChips(stateOf({}), site, false).statusChips).toEqual([]);
  });

  it("lists each active filter and the search as a chip that removes only it", () => {
    const { activeChips } = explorerChips(state, site, false);
    expect(activeChips.map((c) => c.label)).toEqual(["status: failed", "type: payout.*", "search: bank"]);
    const type = byLabel(activeChips, "type: payout.*")?.href ?? "";
    expect(type).not.toContain("type=");
    expect(type).toContain("status=failed");
    expect(type).toContain("search=bank");
    expect(byLabel(activeChips, "search: bank")?.href).not.toContain("search=");
  });

  it("switches the time display, live mode and the advanced columns", () => {
    const chips = explorerChips(state, site, false);
    expect(chips.timeLinks.map((c) => [c.label, Boolean(c.active)])).toEqual([
      ["Project (Europe/Berlin)", false],
      ["Local", false],
      ["UTC", true],
    ]);
    expect(chips.liveLink).toMatchObject({ label: "Live", active: false });
    expect(chips.liveLink.href).toContain("live=1");
    expect(explorerChips(stateOf({ live: "1" }), site, false).liveLink).toMatchObject({
      label: "● Live",
      active: true,
    });

    const withColumn = explorerChips(stateOf({ cols: "event_id" }), site, false).columnLinks;
    expect(byLabel(withColumn, "Event ID")).toMatchObject({ active: true, href: `${base}?cols=none` });
    expect(byLabel(withColumn, "Job ID")).toMatchObject({ active: false, href: `${base}?cols=event_id%2Cjob_id` });
  });
});

describe("explorer rows and detail", () => {
  const event = {
    id: "evt 1",
    type: "commission.updated",
    occurred_at: "2026-11-02T10:15:00.000Z",
    actor: { id: "u_42" },
    entity: { type: "commission", id: "123" },
    organization_id: "org_9",
    request: { id: "req_1" },
  };

  it("shows the view's columns and links each row to its detail with the same state", () => {
    const state = stateOf({ view: "api", cols: "request_id" });
    const ctx = rowContext(state, site);
    expect(ctx.columns.at(-1)).toBe("request_id");
    expect(ctx.detailHref("evt 1")).toEqual({
      page: `${base}/evt%201?view=api&cols=request_id`,
      fragment: `${base}/evt%201?view=api&cols=request_id`,
    });
    const more = moreLinks(state, site, event);
    expect(more.page).toMatch(/^\/p\/prj_1\/events\?view=api&cols=request_id&cursor=/);
    expect(more.fragment).toMatch(/^\/p\/prj_1\/rows\?view=api&cols=request_id&cursor=/);
  });

  it("links an event to its request's, actor's, entity's and organisation's events, keeping only the time display", () => {
    const state = stateOf({ view: "payments", status: "failed", range: "7d", time: "utc" });
    const detail = detailProps(state, site, event, false);
    expect(detail.links).toEqual([
      { label: "All events of this request", href: `${base}?range=all&request_id=req_1&time=utc` },
      { label: "This actor", href: `${base}?range=all&actor_id=u_42&time=utc` },
      { label: "This entity", href: `${base}?range=all&entity_type=commission&entity_id=123&time=utc` },
      { label: "This organisation", href: `${base}?range=all&organization_id=org_9&time=utc` },
    ]);
    expect(detail.closeHref).toBe(`${base}?view=payments&range=7d&status=failed&time=utc`);
    // A partner viewer sees one organisation: no link to it.
    expect(detailProps(state, site, event, true).links.map((l) => l.label)).not.toContain("This organisation");
  });
});
