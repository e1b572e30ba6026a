import type { Project } from "../../db/schema";
import type { Actor, Origin, ProjectContext, ServiceContext } from "../context";
import type { EventInput } from "../events/schema";
import { projectContext } from "../shards/placement";
import { recordEvents } from "./record";

type EventActor = NonNullable<EventInput["actor"]>;

/** How Trailbook's own events name who acted. */
export function actorOf(actor: Actor): EventActor {
  switch (actor.kind) {
    case "member":
    case "user":
      return { type: "team_member", id: actor.user.id, name: actor.user.name, email: actor.user.email };
    case "key":
      return { type: "api_key", id: actor.key.id, name: actor.key.name };
    case "viewer": {
      const { id, name, email } = actor.session.actor;
      return { type: "embedded_viewer", id, ...(name && { name }), ...(email && { email }) };
    }
    case "system": {
      const name = actor.name ?? "system";
      return { type: "system", id: name, name: `Trailbook ${name}` };
    }
    case "anonymous":
      return { type: "anonymous" };
  }
}

/** Where the actor acts from: the dashboard (a signed-in person), the API (a key) or the system. */
export function sourceOf(actor: Actor): "dashboard" | "api" | "system" {
  if (actor.kind === "member" || actor.kind === "user" || actor.kind === "viewer") return "dashboard";
  return actor.kind === "key" ? "api" : "system";
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
 * Who did it, as Trailbook's own events record it: the actor (the context's unless another is
 * named, such as the account a sign-in found), the source, and for the dashboard the request.
 */
export function doneBy(
  ctx: ServiceContext,
  actor: Actor = ctx.actor,
): Required<Pick<OwnEvent, "actor" | "source">> & Pick<OwnEvent, "request"> {
  const source = sourceOf(actor);
  return { actor: actorOf(actor), source, ...(source === "dashboard" && { request: requestOf(ctx.origin) }) };
}

/**
 * Records one of Trailbook's own events in each given project. It goes through the same verb as
 * the API, so it is redacted, hashed, indexed and delivered to webhooks like any other event.
 */
export async function logOwnEvent(ctx: ServiceContext, projects: Project[], event: OwnEvent): Promise<void> {
  for (const project of projects) await recordEvents(await projectContext(ctx, project), [event], { batch: false });
}

/** What a configuration change records: the actor and request come from the context. */
export type Change = Pick<OwnEvent, "type" | "summary" | "entity" | "changes" | "metadata">;

/** Records a configuration change made in the context's project (settings, members, keys, webhooks). */
export async function logChange(ctx: ProjectContext, change: Change): Promise<void> {
  await logOwnEvent(ctx, [ctx.project], { category: "configuration", status: "success", ...change, ...doneBy(ctx) });
}
