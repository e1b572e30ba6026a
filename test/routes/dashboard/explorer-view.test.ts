import { describe, expect, it } from "vitest";
import { compileState, parseExplorerState, stateToFilters } from "../../../src/routes/dashboard/explorer-state";
import {
  changedGroups,
  detailProps,
  explorerChips,
  moreLinks,
  rowContext,
  typeGroups,
} from "../../../src/routes/dashboard/explorer-view";

// The explorer's view model: every chip and link is the URL's state with one thing changed.

const site = { projectId: "prj_1", timezone: "Europe/Berlin" };
const base = "/p/prj_1/events";
const stateOf = (query: Record<string, string>) => parseExplorerState(query).state;
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

  it("offers a status filter in every view, and Clear all only when something is filtered", () => {
    expect(explorerChips(stateOf({}), site, false).statuses).toEqual(["success", "failure", "info"]);
    expect(explorerChips(state, site, false).statuses.slice(0, 2)).toEqual(["failed", "processing"]);
    expect(explorerChips(stateOf({}), site, false).clearHref).toBeUndefined();
    // Clear all keeps the view and the time display, and drops every filter, the search and the range.
    expect(explorerChips({ ...state, range: "7d" }, site, false).clearHref).toBe(`${base}?view=payments&time=utc`);
  });

  it("switches live mode and the advanced columns", () => {
    const chips = explorerChips(state, site, false);
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

describe("the URL's dates and filters", () => {
  const parse = (query: Record<string, string>) => parseExplorerState(query, {}, "Europe/Berlin");

  it("shows links' dates in the form the date inputs take, in the project's zone, so Apply keeps them", () => {
    const { state, notices } = parse({ range: "custom", from: "2026-12-01T12:00:00.000Z", to: "2026-12-01T13:00:00Z" });
    expect(state).toMatchObject({ range: "custom", from: "2026-12-01T13:00", to: "2026-12-01T14:00" });
    expect(notices).toEqual([]);
    // A bare date covers its whole day; epoch milliseconds are an instant.
    expect(parse({ from: "2026-12-01", to: "2026-12-01" }).state).toMatchObject({
      from: "2026-12-01T00:00",
      to: "2026-12-01T23:59:59",
    });
    expect(parse({ from: String(Date.UTC(2026, 11, 1, 8)) }).state.from).toBe("2026-12-01T09:00");
  });

  it("takes a typed From or To date as a custom range, and a range chosen in the form over old dates", () => {
    expect(parse({ range: "24h", range_was: "24h", from: "2026-12-01T10:00" }).state).toMatchObject({
      range: "custom",
      from: "2026-12-01T10:00",
    });
    expect(parse({ range: "7d", range_was: "custom", from: "2026-12-01T10:00" }).state).toMatchObject({
      range: "7d",
      from: "",
    });
    expect(parse({ range: "custom", range_was: "custom", from: "2026-12-01T10:00" }).untidy).toBe(true);
    // A link with a preset range and dates: the dates apply, and the page says so.
    const linked = parse({ range: "7d", from: "2026-12-01T10:00" });
    expect(linked.state).toMatchObject({ range: "custom", from: "2026-12-01T10:00" });
    expect(linked.notices).toEqual(["The URL asks for range 7d and for From/To dates; the From/To dates are applied."]);
  });

  it("takes the To date as the last second it includes, all of it, in the list and in an export", () => {
    const { state } = parse({ range: "custom", from: "2026-12-01T13:00", to: "2026-12-01T13:59:59" });
    const compiled = compileState(state, "Europe/Berlin", { role: "owner", organizationId: null });
    if (!("query" in compiled)) throw new Error(compiled.error);
    // Berlin is UTC+1 in December: the window is 12:00:00.000Z up to, not including, 13:00:00.000Z.
    expect([compiled.query.from, compiled.query.to]).toEqual([Date.UTC(2026, 11, 1, 12), Date.UTC(2026, 11, 1, 13)]);
    expect(stateToFilters(state, "Europe/Berlin")).toMatchObject({
      from: "2026-12-01T13:00",
      to: "2026-12-01T12:59:59.999Z",
    });
  });

  it("says what it cannot apply instead of dropping it, and keeps the rest", () => {
    const { state, notices } = parse({ status: "failed", time: "mars", range: "forever", view: "nope", colour: "red" });
    expect(state.filters).toEqual({ status: "failed" });
    expect(state.time).toBe("project");
    expect(notices).toEqual([
      "Not applied: the time display is not project, local or utc.",
      "Not applied: the range is not one of 24h, 7d, 30d, 90d, all, custom.",
      'The URL\'s "colour" is not a filter here and was ignored.',
      'There is no view "nope"; showing All.',
    ]);
    expect(parse({ status: "", type: "x.y" }).untidy).toBe(true);
    // Names an object has of its own accord are parameters like any other.
    expect(parse({ constructor: "x", toString: "y" }).notices).toEqual([
      'The URL\'s "constructor" is not a filter here and was ignored.',
      'The URL\'s "toString" is not a filter here and was ignored.',
    ]);
  });
});

describe("the pickers", () => {
  it("groups event types by entity, and API paths and single words as plain types", () => {
    expect(typeGroups(["commission.updated", "commission.created", "GET /v1/customers.json", "sales_entry"])).toEqual([
      { group: "commission", values: ["commission.updated", "commission.created"], all: true },
      { group: "Other types", values: ["GET /v1/customers.json", "sales_entry"], all: false },
    ]);
  });

  it("narrows the changed fields to the chosen type's entity", () => {
    const changed = ["commission.status", "commission.amount", "payout.status"];
    expect(changedGroups(changed, undefined).map((g) => g.group)).toEqual(["commission", "payout"]);
    expect(changedGroups(changed, "payout.updated")).toEqual([{ group: "payout", values: ["payout.status"] }]);
    expect(changedGroups(changed, "commission.*")).toEqual([
      { group: "commission", values: ["commission.status", "commission.amount"] },
    ]);
  });
});
