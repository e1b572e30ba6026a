import { env } from "cloudflare:test";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/env";
import { ForbiddenError, InvariantError } from "../../src/lib/errors";
import { requestContext } from "../../src/middleware/context";
import { pageOnError, problemOnError } from "../../src/middleware/errors";
import { api, createMember, createTenant, dash, expectProblem, signIn } from "../fixtures";

// Each face answers its own errors: the API problem+json, the dashboard a page. Nothing looks at
// the path to choose; the face that served the request does.

describe("the API's errors", () => {
  it("answers a path under its roots that no route takes with a 404 problem", async () => {
    const tenant = await createTenant();
    for (const [method, path] of [
      ["GET", "/v1/nope"],
      ["GET", "/v1"],
      ["DELETE", "/v1/events"],
      ["GET", "/healthz/deep"],
      ["POST", "/audit_logs/nope"],
      ["GET", "/publisher/nope"],
    ] as const) {
      const problem = await expectProblem(await api(method, path, { key: tenant.keys.admin }), 404);
      expect(problem.detail).toBe(`No route for ${method} ${path}.`);
    }
  });

  it("answers a refused query parameter under any root with a 422 problem", async () => {
    for (const path of ["/v1/events?x=%00", "/healthz?x=%00", "/audit_logs/events?x=%00"])
      expect((await expectProblem(await api("GET", path), 422)).errors[0]?.path).toBe("x");
  });
});

describe("the dashboard's errors", () => {
  it("answers an address with no page with a page, and an htmx request with a fragment", async () => {
    const page = await dash("GET", "/no/such/page");
    expect(page.status).toBe(404);
    expect(page.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    const html = await page.text();
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain("There is no page at this address.");
    const fragment = await dash("GET", "/no/such/page", { headers: { "HX-Request": "true" } });
    expect(fragment.status).toBe(404);
    expect(await fragment.text()).not.toContain("<!DOCTYPE");
  });

  it("answers the same refusal as a page where the API gives a problem", async () => {
    const response = await dash("GET", "/login?x=%00");
    expect(response.status).toBe(422);
    expect(response.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    expect(await response.text()).toContain("x: ");
  });

  it("recognises a page link with a cursor it never gave out, and shows the newest events instead", async () => {
    const tenant = await createTenant();
    const cookie = await signIn(await createMember(tenant, "member"));
    const response = await dash("GET", `/p/${tenant.project.id}/events?cursor=not-a-cursor`, { cookie });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("That page link is not valid any more; showing the newest events.");
  });
});

describe("either face", () => {
  /** An app with the request middleware, the face's handler and routes that fail. */
  function failing(onError: typeof problemOnError) {
    const app = new Hono<AppEnv>()
      .use(requestContext)
      .get("/invariant", () => {
        throw new InvariantError("insert into tasks returned no row");
      })
      .get("/refused", () => {
        throw new ForbiddenError("not for you");
      })
      .get("/json", () => {
        throw new HTTPException(400, { message: "Unexpected token" });
      });
    app.onError(onError);
    return app;
  }

  it("answers a failure it did not expect as a plain 500, its detail kept for the logs", async () => {
    for (const onError of [problemOnError, pageOnError]) {
      const response = await failing(onError).request("/invariant", {}, env);
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(text).toContain("quote the request id to support");
      expect(text).not.toContain("returned no row");
    }
  });

  it("answers our own errors with their status and message, and an unparsable JSON body with a 400", async () => {
    const problem = await expectProblem(await failing(problemOnError).request("/refused", {}, env), 403);
    expect(problem.detail).toBe("not for you");
    const page = await failing(pageOnError).request("/refused", {}, env);
    expect(page.status).toBe(403);
    expect(await page.text()).toContain("not for you");
    expect((await expectProblem(await failing(problemOnError).request("/json", {}, env), 400)).detail).toContain(
      "not valid JSON",
    );
  });
});
