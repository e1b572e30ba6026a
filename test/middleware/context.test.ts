import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/env";
import { requestContext } from "../../src/middleware/context";
import type { ServiceContext } from "../../src/services/context";
import { api, dash } from "../fixtures";

/** An app with the request middleware and two readers of its context, one in front of the handler. */
function probe() {
  const seen: ServiceContext[] = [];
  const app = new Hono<AppEnv>()
    .use(requestContext)
    .use(async (c, next) => {
      seen.push(c.var.ctx);
      await next();
    })
    .get("/probe", (c) => {
      seen.push(c.var.ctx);
      return c.json({ requestId: c.var.requestId });
    });
  return { app, seen };
}

describe("the request context", () => {
  it("is built once per request: nobody acting yet, where the request came from, the database and config", async () => {
    const { app, seen } = probe();
    const response = await app.request(
      "/probe?x=1",
      { headers: { "CF-Connecting-IP": "203.0.113.9", "User-Agent": "probe/1" } },
      env,
      createExecutionContext(),
    );
    const { requestId } = (await response.json()) as { requestId: string };
    expect(requestId).toMatch(/^req_/);
    expect(response.headers.get("X-Request-ID")).toBe(requestId);
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe(seen[0]);
    const ctx = seen[0] as ServiceContext;
    expect(ctx.actor).toEqual({ kind: "anonymous" });
    expect(ctx.origin).toEqual({ ip: "203.0.113.9", userAgent: "probe/1", method: "GET", path: "/probe" });
    expect(ctx.d1).toBe(env.DB);
    expect(ctx.config.ENVIRONMENT).toBe("test");
  });

  it("is a new one, with a new id, for every request", async () => {
    const { app, seen } = probe();
    const first = await app.request("/probe", {}, env, createExecutionContext());
    const second = await app.request("/probe", {}, env, createExecutionContext());
    expect(first.headers.get("X-Request-ID")).not.toBe(second.headers.get("X-Request-ID"));
    expect(seen[0]).not.toBe(seen[2]);
  });

  it("hands work after the answer to the request's execution context", async () => {
    let finished = false;
    const app = new Hono<AppEnv>().use(requestContext).get("/later", (c) => {
      c.var.ctx.waitUntil(
        new Promise<void>((resolve) =>
          setTimeout(() => {
            finished = true;
            resolve();
          }, 20),
        ),
      );
      return c.text("answered");
    });
    const execution = createExecutionContext();
    expect(await (await app.request("/later", {}, env, execution)).text()).toBe("answered");
    await waitOnExecutionContext(execution);
    expect(finished).toBe(true);
  });

  it("gives every answer of the app its id: API, problem, page and missing page", async () => {
    for (const response of [
      await api("GET", "/healthz"),
      await api("GET", "/v1/events"),
      await api("GET", "/v1/no-such-thing"),
      await dash("GET", "/login"),
      await dash("GET", "/no-such-page"),
    ]) {
      expect(response.headers.get("X-Request-ID"), response.url).toMatch(/^req_/);
    }
  });
});
