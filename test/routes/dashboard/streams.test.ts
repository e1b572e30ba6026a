import { describe, expect, it } from "vitest";
import { createMember, createTenant, dash, signIn, storedEvents, type Tenant } from "../../fixtures";

const httpsForm = {
  name: "Security lake",
  type: "https",
  format: "ocsf",
  filter: "category:auth",
  https_url: "https://siem.example/in",
  https_body: "jsonl",
};

/** Follows a Post/Redirect/Get: the post must redirect (303), then the page is fetched with the cookies it set. */
async function prg(path: string, cookie: string, form: Record<string, string> = {}) {
  const posted = await dash("POST", path, { cookie, form });
  expect(posted.status, await posted.clone().text()).toBe(303);
  const location = posted.headers.get("Location") ?? "";
  const carried = posted.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .filter((c) => c && !c.endsWith("="));
  const page = await dash("GET", location, { cookie: [cookie, ...carried].join("; ") });
  expect(page.status).toBe(200);
  return { location, html: await page.text(), cookies: carried, cleared: page.headers.getSetCookie() };
}

async function setup(): Promise<{ tenant: Tenant; admin: string; base: string }> {
  const tenant = await createTenant();
  const admin = await signIn(await createMember(tenant, "admin"));
  return { tenant, admin, base: `/p/${tenant.project.id}/settings/streams` };
}

describe("Settings → Log streams", () => {
  it("adds a stream (its signing secret shown once after the redirect), edits, pauses, resumes, tests and replays it", async () => {
    const { tenant, admin, base } = await setup();
    const list = await (await dash("GET", base, { cookie: admin })).text();
    expect(list).toContain("No log streams yet.");
    expect(list).toContain(`href="${base}" aria-current="page">Log streams</a>`);

    const added = await prg(base, admin, httpsForm);
    expect(added.location).toMatch(new RegExp(`^${base}/lst_[a-z0-9]+\\?done=created$`));
    const secret = /<div class="secret">(whsec_[^<]+)<\/div>/.exec(added.html)?.[1];
    expect(secret).toBeDefined();
    expect(added.html).toContain("Log stream added.");
    const page = added.location.split("?")[0] ?? "";
    // Shown once: the page clears the cookie that carried it, and a later visit shows no secret.
    expect(added.cookies.map((c) => c?.split("=")[0])).toEqual(["__Host-tb_stream_secret"]);
    expect(added.cleared.join("\n")).toMatch(/__Host-tb_stream_secret=; Max-Age=0/);
    const again = await (await dash("GET", page, { cookie: admin })).text();
    expect(again).not.toContain(secret ?? "x");
    // A carried secret opens only on its own stream's page.
    const elsewhere = await dash("GET", base, { cookie: [admin, ...added.cookies].join("; ") });
    expect(await elsewhere.text()).not.toContain(secret ?? "x");
    expect(added.html).toContain("up to date");
    expect(added.html).toContain('<span class="badge ok stream-state">active</span>');

    const saved = await prg(page, admin, {
      ...httpsForm,
      name: "Security lake 2",
      filter: "category:auth,configuration",
    });
    expect(saved.html).toContain("Saved.");
    expect(saved.html).toContain("Security lake 2");

    const paused = await prg(`${page}/pause`, admin);
    expect(paused.html).toContain('<span class="badge warn stream-state">paused</span>');
    const resumed = await prg(`${page}/resume`, admin);
    expect(resumed.html).toContain('<span class="badge ok stream-state">active</span>');
    expect((await prg(`${page}/test`, admin)).html).toContain("Test batch queued");
    expect((await prg(`${page}/replay`, admin, { from: "2026-11-01T00:00:00", cursor: "" })).html).toContain(
      "Replay started",
    );

    const types = (await storedEvents(tenant.project.id))
      .filter((e) => e.category === "configuration")
      .map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        "log_stream.created",
        "log_stream.updated",
        "log_stream.paused",
        "log_stream.resumed",
        "log_stream.replayed",
      ]),
    );
    const listed = await (await dash("GET", base, { cookie: admin })).text();
    expect(listed).toContain("Security lake 2");
    expect(listed).not.toContain(secret ?? "x");
  });

  it("refuses bad input with a readable message on the same page, keeping what was typed (never a secret)", async () => {
    const { admin, base } = await setup();
    const missing = await dash("POST", base, {
      cookie: admin,
      form: { name: "Splunk", type: "splunk_hec", format: "trailbook", splunk_url: "https://splunk.example:8088" },
    });
    expect(missing.status).toBe(422);
    const html = await missing.text();
    expect(html).toContain("destination.token is required");
    expect(html).toContain('value="https://splunk.example:8088"');

    const filter = await dash("POST", base, { cookie: admin, form: { ...httpsForm, filter: "colour:red" } });
    expect(filter.status).toBe(422);
    expect(await filter.text()).toContain("unknown key");

    const secretKept = await dash("POST", base, {
      cookie: admin,
      form: { name: "", type: "datadog", datadog_api_key: "dd-secret-value", format: "trailbook" },
    });
    expect(secretKept.status).toBe(422);
    expect(await secretKept.text()).not.toContain("dd-secret-value");

    const created = await prg(base, admin, httpsForm);
    const page = created.location.split("?")[0] ?? "";
    const replay = await dash("POST", `${page}/replay`, { cookie: admin, form: { from: "", cursor: "" } });
    expect(replay.status).toBe(422);
    expect(await replay.text()).toContain("Give either from");
    const badTime = await dash("POST", `${page}/replay`, {
      cookie: admin,
      form: { from: "2026-02-30T00:00", cursor: "" },
    });
    expect(badTime.status).toBe(422);
    expect(await badTime.text()).toContain("not a date or time");
  });

  it("asks before deleting", async () => {
    const { tenant, admin, base } = await setup();
    const created = await prg(base, admin, httpsForm);
    const page = created.location.split("?")[0] ?? "";
    const confirm = await (await dash("GET", `${page}/delete`, { cookie: admin })).text();
    expect(confirm).toContain("Delete log stream “Security lake”?");
    expect(confirm).toContain(`action="${page}/delete"`);
    const deleted = await prg(`${page}/delete`, admin);
    expect(deleted.location).toBe(`${base}?done=deleted`);
    expect(deleted.html).toContain("Log stream deleted.");
    expect((await dash("GET", page, { cookie: admin })).status).toBe(404);
    const types = (await storedEvents(tenant.project.id)).map((e) => e.type);
    expect(types).toContain("log_stream.deleted");
  });

  it("is for owners and admins only; another project's stream is not found", async () => {
    const { tenant, admin, base } = await setup();
    const created = await prg(base, admin, httpsForm);
    const page = created.location.split("?")[0] ?? "";
    for (const role of ["member", "viewer"] as const) {
      const cookie = await signIn(await createMember(tenant, role));
      expect((await dash("GET", base, { cookie })).status).toBe(403);
      expect((await dash("POST", `${page}/pause`, { cookie })).status).toBe(403);
      expect(await (await dash("GET", `/p/${tenant.project.id}/events`, { cookie })).text()).not.toContain(
        "Log streams",
      );
    }
    const owner = await signIn(await createMember(tenant, "owner"));
    expect((await dash("GET", page, { cookie: owner })).status).toBe(200);
    const other = await createTenant();
    const stranger = await signIn(await createMember(other, "admin"));
    const streamId = page.split("/").at(-1);
    expect(
      (await dash("GET", `/p/${other.project.id}/settings/streams/${streamId}`, { cookie: stranger })).status,
    ).toBe(404);
    expect(
      (await dash("POST", `/p/${other.project.id}/settings/streams/${streamId}/delete`, { cookie: stranger })).status,
    ).toBe(404);
    // Forms are same-origin only.
    expect((await dash("POST", `${page}/pause`, { cookie: admin, origin: "https://evil.example" })).status).toBe(403);
  });
});
