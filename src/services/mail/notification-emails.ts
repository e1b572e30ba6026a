import { and, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import {
  memberships,
  type Notification,
  notificationSubscriptions,
  notifications,
  projects,
  users,
} from "../../db/schema";
import type { ServiceContext } from "../context";
import { doneBy, logOwnEvent } from "../ingest/own-events";
import { memberMayRead } from "../notifications/notify";

// Notification e-mails: members choose types per project (notifications/subscriptions.ts); a cron
// sends what is due through the Workers `send_email` binding when one is configured (SEND_EMAIL).
// Every e-mail sent — or, without the binding (local development), that would have been sent — is
// recorded as an `email` event.

type SendEmail = { send(message: unknown): Promise<void> };
export const FROM_ADDRESS = "trailbook@notifications.invalid";

function mime(from: string, to: string, subject: string, text: string): string {
  const clean = (s: string) => s.replace(/[\r\n]+/g, " ");
  return [
    `From: Trailbook <${from}>`,
    `To: <${clean(to)}>`,
    `Subject: ${clean(subject)}`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    text,
  ].join("\r\n");
}

/** Sends one plain-text e-mail through SEND_EMAIL; without the binding it is only recorded as pending. */
export async function sendEmail(
  ctx: ServiceContext,
  to: string,
  subject: string,
  text: string,
): Promise<{ status: "delivered" | "pending" | "blocked"; note?: string }> {
  const binding = (ctx.env as unknown as { SEND_EMAIL?: SendEmail }).SEND_EMAIL;
  if (!binding)
    return { status: "pending", note: "no send_email binding configured (local development): recorded, not sent" };
  try {
    const { EmailMessage } = (await import("cloudflare:email")) as {
      EmailMessage: new (from: string, to: string, raw: string) => unknown;
    };
    await binding.send(new EmailMessage(FROM_ADDRESS, to, mime(FROM_ADDRESS, to, subject, text)));
    return { status: "delivered" };
  } catch (error) {
    return { status: "blocked", note: error instanceof Error ? error.message : String(error) };
  }
}

async function recipients(ctx: ServiceContext, n: Notification): Promise<{ userId: string; email: string }[]> {
  const rows = await ctx.db
    .select({ userId: users.id, email: users.email })
    .from(notificationSubscriptions)
    .innerJoin(users, eq(users.id, notificationSubscriptions.userId))
    .innerJoin(
      memberships,
      and(
        eq(memberships.userId, notificationSubscriptions.userId),
        eq(memberships.projectId, notificationSubscriptions.projectId),
      ),
    )
    .where(
      and(
        eq(notificationSubscriptions.projectId, n.projectId),
        eq(notificationSubscriptions.type, n.type),
        // The same rule as the list: a subscription never brings what the member may not see.
        memberMayRead({ type: sql`${n.type}`, userId: sql`${n.userId}` }, memberships),
      ),
    );
  return rows;
}

/** Sends (or records) the e-mails of notifications not yet e-mailed; run by the cron. */
export async function sendNotificationEmails(ctx: ServiceContext, now = Date.now()): Promise<number> {
  const { db } = ctx;
  const due = await db
    .select()
    .from(notifications)
    .where(and(isNull(notifications.emailedAt), gt(notifications.createdAt, now - 24 * 3600_000)))
    .limit(100);
  let sent = 0;
  for (const n of due) {
    // Claimed first, so two overlapping runs never e-mail twice.
    const claimed = await db
      .update(notifications)
      .set({ emailedAt: now })
      .where(and(eq(notifications.id, n.id), isNull(notifications.emailedAt)))
      .returning({ id: notifications.id });
    if (claimed.length === 0) continue;
    const to = await recipients(ctx, n);
    if (to.length === 0) continue;
    const [project] = await db
      .select()
      .from(projects)
      .where(inArray(projects.id, [n.projectId]))
      .limit(1);
    if (!project) continue;
    for (const r of to) {
      const result = await sendEmail(
        ctx,
        r.email,
        `[Trailbook · ${project.name}] ${n.title}`,
        [n.title, n.body ?? "", n.link ? `Open: ${n.link}` : ""].filter(Boolean).join("\n\n"),
      );
      await logOwnEvent(ctx, [project], {
        category: "email",
        type: "email.sent",
        status: result.status,
        summary: `Notification e-mail to ${r.email}: ${n.title}`.slice(0, 1000),
        ...(result.note && { message: result.note }),
        ...doneBy(ctx, { kind: "system", name: "notifications" }),
        entity: { type: "notification", id: n.id },
        metadata: { to: r.email, notification_type: n.type },
      });
      sent++;
    }
  }
  return sent;
}
