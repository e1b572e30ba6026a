import type { Project, User } from "../../db/schema";
import { recordEvents } from "../events/record";
import type { EventInput } from "../events/schema";

/** Who and where a dashboard or API action came from, for Trailbook's own events (DESIGN §2). */
export type Origin = { ip?: string | undefined; userAgent?: string | undefined; method?: string; path?: string };

export function actorOf(user: Pick<User, "id" | "name" | "email">): NonNullable<EventInput["actor"]> {
  return { type: "team_member", id: user.id, name: user.name, email: user.email };
}

export function requestOf(origin: Origin): NonNullable<EventInput["request"]> {
  const request: NonNullable<EventInput["request"]> = {};
  if (origin.ip) request.ip = origin.ip;
  if (origin.userAgent) request.user_agent = origin.userAgent.slice(0, 1000);
  if (origin.method) request.method = origin.method;
  if (origin.path) request.path = origin.path.slice(0, 1000);
  request.origin = "dashboard";
  return request;
}

export type OwnEvent = Omit<EventInput, "category"> & { category: "auth" | "configuration" | "activity" | "email" };

/**
 * Records one of Trailbook's own events in each given project. It goes through the same verb as
 * the API, so it is redacted, hashed, indexed and delivered to webhooks like any other event.
 */
export async function logOwnEvent(d1: D1Database, projects: Project[], event: OwnEvent): Promise<void> {
  for (const project of projects) await recordEvents(d1, project, [event], { batch: false });
}
