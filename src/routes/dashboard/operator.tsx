import { eq } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { z } from "zod";
import { Shards, type ShardsProps } from "../../../views/pages/Operator";
import { placements, projects, SHARD_STATES } from "../../db/schema";
import type { SignedInEnv } from "../../env";
import { AppError, NotFoundError } from "../../lib/errors";
import { withActor } from "../../services/context";
import { startMove } from "../../services/shards/move";
import { setShardState, shardOverview } from "../../services/shards/overview";
import { formValidator } from "./form";
import { renderPage } from "./frame";

/** Only the deployment's operators (users marked by bootstrap) see these pages; to others they do not exist. */
const requireOperator = createMiddleware<SignedInEnv>(async (c, next) => {
  if (!c.var.user.operator) throw new NotFoundError("There is no page at this address.");
  c.set("ctx", withActor(c.var.ctx, { kind: "system", name: `operator ${c.var.user.email}` }) as never);
  await next();
});

const StateForm = z.object({ state: z.enum(SHARD_STATES, "choose open, closed or draining") });
const MoveForm = z.object({
  project_id: z.string().trim().min(1, "choose a project").max(64),
  shard: z.string().trim().min(1, "choose a shard").max(64),
});

type C = Context<SignedInEnv>;

async function props(c: C): Promise<Omit<ShardsProps, "success" | "error" | "form">> {
  const { ctx } = c.var;
  const [shards, placed] = await Promise.all([
    shardOverview(ctx),
    ctx.db
      .select({
        projectId: placements.projectId,
        projectName: projects.name,
        shard: placements.shard,
        targetShard: placements.targetShard,
      })
      .from(placements)
      .innerJoin(projects, eq(projects.id, placements.projectId))
      .orderBy(projects.name)
      .limit(1000),
  ]);
  return { shards, placements: placed };
}

const notices: Record<string, string> = { state: "Shard state changed.", move: "The move started." };

export const operatorPages = new Hono<SignedInEnv>()
  .use(requireOperator)
  .get("/shards", async (c) => {
    const done = c.req.query("done");
    const task = c.req.query("task");
    const success = done && notices[done] ? `${notices[done]}${task ? ` Task ${task}.` : ""}` : undefined;
    return renderPage(c, Shards, { ...(await props(c)), success });
  })
  .post(
    "/shards/:binding",
    formValidator(StateForm, async (c: C, message) =>
      renderPage(c, Shards, { ...(await props(c)), error: message }, 422),
    ),
    async (c) => {
      await setShardState(c.var.ctx, c.req.param("binding"), c.req.valid("form").state);
      return c.redirect("/operator/shards?done=state", 303);
    },
  )
  .post(
    "/moves",
    formValidator(MoveForm, async (c: C, message) =>
      renderPage(c, Shards, { ...(await props(c)), error: message }, 422),
    ),
    async (c) => {
      const form = c.req.valid("form");
      try {
        const task = await startMove(c.var.ctx, form.project_id, form.shard);
        return c.redirect(`/operator/shards?done=move&task=${task.id}`, 303);
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        return renderPage(c, Shards, { ...(await props(c)), error: error.message, form }, 422);
      }
    },
  );
