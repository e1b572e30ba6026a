import { createMessageBatch, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { handleQueue } from "../../../src/queues/consumer";
import {
  api,
  createMember,
  createTenant,
  dash,
  expectJson,
  followRedirect,
  signIn,
  storedEvents,
} from "../../fixtures";

describe("webhook pages", () => {
  it("adds an endpoint with its secret shown once, edits it, lists and resends its sendouts", async () => {
    const tenant = await createTenant();
    const admin = await signIn(await createMember(tenant, "admin"));
    const base = `/p/${tenant.project.id}`;

    const bad = await dash("POST", `${base}/settings/webhooks`, {
      cookie: admin,
      form: { url: "https://hooks.example.com/x", event_types: "not a type!", enabled: "1" },
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("event_types[0]");

    const posted = await dash("POST", `${base}/settings/webhooks`, {
      cookie: admin,
      form: {
        url: "https://hooks.example.com/x",
        description: "CRM",
        event_types: "commission.*, payout.created",
        enabled: "1",
      },
    });
    // The secret is shown once on the endpoint's page, never in its URL.
    expect(posted.headers.get("Location")).toMatch(/^\/p\/prj_[a-z0-9]+\/settings\/webhooks\/whe_[a-z0-9]+$/);
    const added = await (await followRedirect(posted, admin)).text();
    const secret = /<div class="secret">(whsec_[^<]+)<\/div>/.exec(added)?.[1];
    expect(secret).toBeDefined();
    const endpointId = /\/settings\/webhooks\/(whe_[a-z0-9]+)\/test/.exec(added)?.[1];
    if (!endpointId) throw new Error("no endpoint page");
    expect(
      await (await dash("GET", `${base}/settings/webhooks/${endpointId}`, { cookie: admin })).text(),
    ).not.toContain(secret ?? "x");

    const saved = await (
      await followRedirect(
        await dash("POST", `${base}/settings/webhooks/${endpointId}`, {
          cookie: admin,
          form: { url: "https://hooks.example.com/y", description: "CRM", event_types: "*", enabled: "1" },
        }),
        admin,
      )
    ).text();
    expect(saved).toContain("Saved.");

    await expectJson(
      await api("POST", "/v1/events", {
        key: tenant.keys.ingest,
        body: { id: "c1", type: "commission.updated", summary: "<b>x</b>" },
      }),
      201,
    );
    const list = await (await dash("GET", `${base}/webhooks?event_id=c1`, { cookie: admin })).text();
    const sendoutId = /\/webhooks\/(whs_[A-Za-z0-9_-]+)"/.exec(list)?.[1];
    if (!sendoutId) throw new Error("no sendout listed");
    const batch = createMessageBatch("trailbook-webhooks", [
      { id: "m", timestamp: new Date(), attempts: 1, body: { kind: "webhook.deliver", sendoutId, trigger: "auto" } },
    ]);
    await handleQueue(batch, env, { fetch: async () => new Response("nope", { status: 500 }) });
    const detail = await (await dash("GET", `${base}/webhooks/${sendoutId}`, { cookie: admin })).text();
    expect(detail).toContain("HTTP 500");
    expect(detail).toContain("nope");
    expect(await (await dash("GET", `${base}/webhooks?status=retry`, { cookie: admin })).text()).toContain(sendoutId);
    expect(await (await dash("GET", `${base}/webhooks?status=sent`, { cookie: admin })).text()).not.toContain(
      sendoutId,
    );
    expect(await (await dash("GET", `${base}/webhooks?created_from=yesterday`, { cookie: admin })).text()).toContain(
      "not a date or time",
    );

    const member = await signIn(await createMember(tenant, "member"));
    const resent = await dash("POST", `${base}/webhooks/${sendoutId}/resend`, { cookie: member });
    // Reloading the page after a resend loads the sendout; it does not resend again.
    expect(resent.headers.get("Location")).toBe(`${base}/webhooks/${sendoutId}`);
    expect(await (await followRedirect(resent, member)).text()).toContain("Queued for another attempt.");
    const viewer = await signIn(await createMember(tenant, "viewer"));
    expect((await dash("GET", `${base}/webhooks`, { cookie: viewer })).status).toBe(403);
    expect((await dash("GET", `${base}/settings/webhooks`, { cookie: member })).status).toBe(403);

    const types = (await storedEvents(tenant.project.id))
      .filter((e) => e.category === "configuration")
      .map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["webhook.created", "webhook.updated", "webhook.resent"]));
  });

  it("shows the payload a sendout sent, and resends from a row of the list back to that list", async () => {
    const tenant = await createTenant();
    const admin = await signIn(await createMember(tenant, "admin"));
    const base = `/p/${tenant.project.id}`;
    await dash("POST", `${base}/settings/webhooks`, {
      cookie: admin,
      form: { url: "https://hooks.example.com/p", event_types: "*", enabled: "1" },
    });
    await expectJson(
      await api("POST", "/v1/events", {
        key: tenant.keys.ingest,
        body: { id: "pay_1", type: "payout.created", summary: "Payout <sent>", metadata: { program: "Summer" } },
      }),
      201,
    );
    const list = await (await dash("GET", `${base}/webhooks?event_id=pay_1`, { cookie: admin })).text();
    const sendoutId = /\/webhooks\/(whs_[A-Za-z0-9_-]+)"/.exec(list)?.[1];
    if (!sendoutId) throw new Error("no sendout listed");
    const unsent = await (await dash("GET", `${base}/webhooks/${sendoutId}`, { cookie: admin })).text();
    expect(unsent).toContain("Not sent yet");
    expect(unsent).toContain("Payout &lt;sent&gt;");

    let sent = "";
    const batch = createMessageBatch("trailbook-webhooks", [
      { id: "m", timestamp: new Date(), attempts: 1, body: { kind: "webhook.deliver", sendoutId, trigger: "auto" } },
    ]);
    await handleQueue(batch, env, {
      fetch: async (request: Request) => {
        sent = await request.text();
        return new Response("ok", { status: 200 });
      },
    });
    expect(sent).toContain('"pay_1"');
    const detail = await (await dash("GET", `${base}/webhooks/${sendoutId}`, { cookie: admin })).text();
    const shown = /<pre class="body" id="sendout-payload">([^<]*)<\/pre>/.exec(detail)?.[1] ?? "";
    const decode = (t: string) =>
      t
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, "&");
    // Exactly what the receiver got, timestamp included.
    expect(JSON.parse(decode(shown))).toEqual(JSON.parse(sent));
    expect(detail).toContain("As attempt #1 sent it.");

    // Resend from a row: back to the same filtered list, with a message; a foreign `back` is ignored.
    const back = `${base}/webhooks?event_id=pay_1`;
    expect(list).toContain(`action="${base}/webhooks/${sendoutId}/resend"`);
    const fromRow = await dash("POST", `${base}/webhooks/${sendoutId}/resend`, { cookie: admin, form: { back } });
    expect(fromRow.status).toBe(303);
    expect(fromRow.headers.get("Location")).toBe(back);
    expect(await (await followRedirect(fromRow, admin)).text()).toContain(
      `Sendout ${sendoutId} queued for another attempt.`,
    );
    for (const elsewhere of ["https://evil.example.com/", `/p/prj_other/webhooks`, `${base}/webhooksx`]) {
      const answer = await dash("POST", `${base}/webhooks/${sendoutId}/resend`, {
        cookie: admin,
        form: { back: elsewhere },
      });
      expect(answer.headers.get("Location")).toBe(`${base}/webhooks/${sendoutId}`);
    }
    // Without the permission, no row action, and the post is refused.
    const viewer = await signIn(await createMember(tenant, "viewer"));
    expect(
      (await dash("POST", `${base}/webhooks/${sendoutId}/resend`, { cookie: viewer, form: { back } })).status,
    ).toBe(403);
  });
});
