import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { checkDatabase } from "../../services/health/check";

/** Liveness with a D1 round trip; 503 when the database does not answer. */
export const healthApi = new Hono<AppEnv>().get("/", async (c) => {
  try {
    await checkDatabase(c.var.ctx);
    return c.json({ status: "ok", database: "ok" });
  } catch (error) {
    console.error(`[${c.var.requestId}] health check: D1 failed`, error);
    return c.json({ status: "degraded", database: "unreachable" }, 503);
  }
});
