import { type Config, readConfig } from "../config";
import { createDb, type Db } from "../db/client";
import type { ApiKey, Placement, Project, Region, User, ViewerSession } from "../db/schema";
import { regionOfBinding, shardDatabase } from "../db/shard/bindings";
import { createShardDb, type ShardDb } from "../db/shard/client";
import { coalescedReader, type ShardReader } from "../db/shard/reads";
import { ForbiddenError, ServiceUnavailableError } from "../lib/errors";
import type { Access } from "../lib/permissions";

/**
 * Who is acting: a signed-in member of the project, a signed-in user outside a project (account
 * pages, invitations), an API key, the system (cron, queue consumer, bootstrap), or nobody yet (a
 * request before sign-in or key check: the sign-in form, an invitation link, a signed download), or
 * an embedded viewer's session.
 */
export type Actor =
  | { kind: "member"; user: User; access: Access }
  | { kind: "user"; user: User }
  | { kind: "key"; key: ApiKey }
  /** Someone looking through an embedded viewer: a viewer session, scoped like a partner viewer. */
  | { kind: "viewer"; session: ViewerSession; access: Access }
  | { kind: "system"; name?: string }
  | { kind: "anonymous" };

/** Where a request came from, for Trailbook's own events; {} for system work. */
export type Origin = { ip?: string | undefined; userAgent?: string | undefined; method?: string; path?: string };

/**
 * Everything a service verb may use, built once per unit of work (a request, a queue message, a
 * cron run) and passed first: `verb(ctx, input)`. No service builds its own database client.
 */
export type ServiceContext = {
  /** Bindings: queues, R2, the rate limiter. */
  env: Env;
  /** Variables and secrets, checked. */
  config: Config;
  /** The control database through drizzle. */
  db: Db;
  /** The same database, raw: bulk `json_each` inserts, FTS5, `INDEXED BY`. */
  d1: D1Database;
  actor: Actor;
  origin: Origin;
  /** Work to finish after the answer; outside a request it runs unawaited and only logs a failure. */
  waitUntil: (work: Promise<unknown>) => void;
};

/**
 * Where a project's events live: its home shard (README "Storage at scale"), the D1 database behind
 * it raw and through drizzle, and the project's number there (`pn`), which every row and index of
 * the shard carries instead of the project id.
 */
export type EventStore = {
  binding: string;
  region: Region;
  d1: D1Database;
  db: ShardDb;
  /** Reads started in the same turn, sent as one batch (src/db/shard/reads.ts). */
  read: ShardReader;
  pn: number;
  /** The shard's size as last measured, when the request read it with the placement (ingest refuses a full shard). */
  sizeBytes?: number | undefined;
};

/** Where a project lives, as the placements say; with the shard's measured size when it was read along. */
export type PlacementRef = Pick<Placement, "shard" | "pn"> & { sizeBytes?: number | null | undefined };

/**
 * A context inside one project: its actor may act on it (membership or key scope already checked),
 * and its events are read and written through `events` only.
 */
export type ProjectContext = ServiceContext & {
  project: Project;
  events: EventStore;
  files: R2Bucket;
  /** The project's enabled webhook endpoints, when the API key's check read them along (ingest's fan-out). */
  webhookEndpoints?: readonly EndpointRef[] | undefined;
};

/** A webhook endpoint as ingest's fan-out needs it. */
export type EndpointRef = { id: string; eventTypes: string[] };

/** The R2 bucket of a region: a project's uploads, exports, archives and digests stay in its region. */
export function filesOf(env: Env, region: Region): R2Bucket {
  return region === "eu" ? env.FILES_EU : env.FILES;
}

type MemberActor = Extract<Actor, { kind: "member" }>;
type KeyActor = Extract<Actor, { kind: "key" }>;
/** A member of the project acting in the dashboard. */
export type MemberContext = ProjectContext & { actor: MemberActor };
/** An API key acting on its project. */
export type KeyContext = ProjectContext & { actor: KeyActor };
/** A signed-in user, in a project or not. */
export type UserContext = ServiceContext & { actor: MemberActor | Extract<Actor, { kind: "user" }> };

function logLateFailure(work: Promise<unknown>): void {
  work.catch((error: unknown) => console.error("work after the answer failed", error));
}

export function createContext(
  env: Env,
  parts: { actor: Actor; origin?: Origin | undefined; waitUntil?: ((work: Promise<unknown>) => void) | undefined },
): ServiceContext {
  return {
    env,
    config: readConfig(env),
    db: createDb(env.DB),
    d1: env.DB,
    actor: parts.actor,
    origin: parts.origin ?? {},
    waitUntil: parts.waitUntil ?? logLateFailure,
  };
}

/** The event store of a placement; a shard this deployment no longer binds is a 503, not a crash. */
export function eventStore(env: Env, placement: PlacementRef): EventStore {
  const d1 = shardDatabase(env, placement.shard);
  const region = regionOfBinding(placement.shard);
  if (!d1 || !region) {
    throw new ServiceUnavailableError(
      `This project's events are on ${placement.shard}, which this deployment does not bind; an operator must add it back.`,
    );
  }
  return {
    binding: placement.shard,
    region,
    d1,
    db: createShardDb(d1),
    read: coalescedReader(d1),
    pn: placement.pn,
    sizeBytes: placement.sizeBytes ?? undefined,
  };
}

export function inProject(ctx: ServiceContext, project: Project, placement: PlacementRef): ProjectContext {
  const events = eventStore(ctx.env, placement);
  // Endpoints read along with a key belong to that key's project, never to another.
  return { ...ctx, project, events, files: filesOf(ctx.env, events.region), webhookEndpoints: undefined };
}

/** The same unit of work, another actor (after a key check, a sign-in or a membership check). */
export function withActor<C extends ServiceContext, A extends Actor>(ctx: C, actor: A): C & { actor: A } {
  return { ...ctx, actor };
}

/** The signed-in user behind the actor, if any. */
export function userOf(actor: Actor): User | undefined {
  return actor.kind === "member" || actor.kind === "user" ? actor.user : undefined;
}

/**
 * What the actor may see of its project: a member's role and organisation scope; an API key or
 * the system, the whole project (null). Anyone else sees nothing.
 */
export function accessOf(actor: Actor): Access | null {
  if (actor.kind === "member" || actor.kind === "viewer") return actor.access;
  if (actor.kind === "key" || actor.kind === "system") return null;
  throw new ForbiddenError("Sign in, or send an API key, to see this project.");
}

/** The signed-in user acting, for verbs of one's own account. */
export function signedInUser(ctx: ServiceContext): User {
  const user = userOf(ctx.actor);
  if (!user) throw new ForbiddenError("Sign in first.");
  return user;
}

/** The id that `created_by` columns record for the actor: a user's or a key's; null for the system. */
export function actorId(actor: Actor): string | null {
  if (actor.kind === "key") return actor.key.id;
  if (actor.kind === "viewer") return actor.session.id;
  return userOf(actor)?.id ?? null;
}
