import { and, eq } from "drizzle-orm";
import { notificationSubscriptions } from "../../db/schema";
import type { MemberContext } from "../context";

/** The notification types the member chose to get by e-mail in this project. */
export async function subscriptionsOf(ctx: MemberContext): Promise<string[]> {
  const projectId = ctx.project.id;
  const userId = ctx.actor.user.id;
  const rows = await ctx.db
    .select({ type: notificationSubscriptions.type })
    .from(notificationSubscriptions)
    .where(and(eq(notificationSubscriptions.projectId, projectId), eq(notificationSubscriptions.userId, userId)));
  return rows.map((r) => r.type);
}

export async function setSubscriptions(ctx: MemberContext, types: string[]): Promise<void> {
  const { db } = ctx;
  const projectId = ctx.project.id;
  const userId = ctx.actor.user.id;
  await db
    .delete(notificationSubscriptions)
    .where(and(eq(notificationSubscriptions.projectId, projectId), eq(notificationSubscriptions.userId, userId)));
  for (let i = 0; i < types.length; i += 30) {
    await db
      .insert(notificationSubscriptions)
      .values(types.slice(i, i + 30).map((type) => ({ projectId, userId, type })));
  }
}
