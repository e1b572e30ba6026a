import { describe, expect, it } from "vitest";
import { SCALAR_INTEGRITY, SCALAR_URL } from "../../../src/lib/scalar";
import { DOCS_INIT_URL } from "../../../src/routes/dashboard/docs";
import { createMember, createTenant, dash, signIn } from "../../fixtures";

describe("API reference at /docs", () => {
  it("renders the served OpenAPI document with Scalar, pinned by integrity, under a nonce CSP of its own", async () => {
    const response = await dash("GET", "/docs");
    expect(response.status).toBe(200);
    const html = await response.text();
    const csp = response.headers.get("Content-Security-Policy") ?? "";
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    if (!nonce) throw new Error(`no nonce in ${csp}`);
    expect(html).toContain(
      `<script src="${SCALAR_URL}" integrity="${SCALAR_INTEGRITY}" crossorigin="anonymous" nonce="${nonce}" defer></script>`,
    );
    expect(html).toContain(`<script src="${DOCS_INIT_URL}" nonce="${nonce}" defer></script>`);
    expect(html).toContain(`<meta property="csp-nonce" content="${nonce}"/>`);
    expect(SCALAR_URL).toMatch(/@scalar\/api-reference@\d+\.\d+\.\d+\//);
    expect(SCALAR_INTEGRITY).toMatch(/^sha384-[A-Za-z0-9+/]{64}$/);
    expect(csp).toContain(`script-src 'nonce-${nonce}' 'strict-dynamic'`);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    // A nonce per answer.
    const again = (await dash("GET", "/docs")).headers.get("Content-Security-Policy");
    expect(again).not.toBe(csp);

    const init = await dash("GET", DOCS_INIT_URL);
    expect(init.headers.get("Content-Type")).toContain("text/javascript");
    expect(await init.text()).toContain('url: "/v1/openapi.json"');
    const doc = (await (await dash("GET", "/v1/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/events", "/v1/alert-rules"]));
  });

  it("is linked from the sign-in page and the project settings", async () => {
    expect(await (await dash("GET", "/login")).text()).toContain('href="/docs"');
    const tenant = await createTenant();
    const cookie = await signIn(await createMember(tenant, "admin"));
    for (const path of ["/settings", "/settings/api-keys"])
      expect(await (await dash("GET", `/p/${tenant.project.id}${path}`, { cookie })).text()).toContain('href="/docs"');
  });
});
