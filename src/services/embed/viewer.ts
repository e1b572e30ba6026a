import { and, eq, gt, isNull, or, sql } from "drizzle-orm";
import { z } from "zod";
import {
  type EmbedTheme,
  type Project,
  placements,
  projects,
  VIEWER_PERMISSIONS,
  type ViewerFilters,
  type ViewerSession,
  viewerSessions,
} from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";
import { ValidationError } from "../../lib/errors";
import { newId, randomToken } from "../../lib/ids";
import type { Access, Permission } from "../../lib/permissions";
import { parseTimeBound } from "../../lib/time";
import { storableText } from "../../lib/validation";
import {
  inProject,
  type KeyContext,
  type PlacementRef,
  type ProjectContext,
  type ServiceContext,
  withActor,
} from "../context";
import { doneBy, logChange, logOwnEvent } from "../ingest/own-events";
import { type EmbedSettingsValues, EmbedThemeInput, getEmbedSettings } from "./settings";

/** A token is a link to open the viewer with: short-lived, single use (README "Embeddable viewer"). */
export const TOKEN_TTL_DEFAULT_S = 300;
export const TOKEN_TTL_MAX_S = 3600;
/** A viewer session ends after at most an hour; a new token is the only way to go on. */
export const SESSION_TTL_MAX_S = 3600;

const TOKEN_PREFIX = "tbv_";
const text = (max: number) => storableText().min(1).max(max);
const TypePattern = z
  .string()
  .regex(/^[A-Za-z0-9_.:/ -]{1,128}\*?$/, "must be an event type, or a prefix ending in * (`user.*`)");

export const ViewerTokenInput = z
  .strictObject({
    organization_id: text(128).describe("The organisation whose events the viewer shows, and only those."),
    actor: z
      .strictObject({
        id: text(128),
        name: text(200).optional(),
        email: text(320).optional(),
      })
      .describe("Who will look, for the viewer's own events (`viewer.session_started`, `export.created`)."),
    filters: z
      .strictObject({
        types: z.array(TypePattern).min(1).max(20).optional().describe("Only these types or prefixes (`user.*`)."),
        from: text(64).optional().describe("Nothing older than this (ISO 8601 or epoch ms)."),
      })
      .optional(),
    permissions: z
      .array(z.enum(VIEWER_PERMISSIONS))
      .min(1)
      .max(2)
      .default(["read"])
      .describe("`read` (always) and `export`."),
    expires_in: z
      .int()
      .min(10)
      .max(TOKEN_TTL_MAX_S)
      .default(TOKEN_TTL_DEFAULT_S)
      .describe("Seconds the link may be opened in (default 300, at most 3600)."),
    session_expires_in: z
      .int()
      .min(60)
      .max(SESSION_TTL_MAX_S)
      .default(SESSION_TTL_MAX_S)
      .describe("Seconds the viewer session lasts once opened (at most 3600)."),
    theme: EmbedThemeInput.optional().describe("Overrides the project's embedding look for this viewer."),
  })
  .meta({ id: "ViewerTokenRequest" });
export type ViewerTokenInput = z.output<typeof ViewerTokenInput>;

export function hashToken(token: string): Promise<string> {
  return sha256Hex(token);
}

/** The viewer's fixed filters, checked and read in the project's timezone. */
function viewerFilters(input: ViewerTokenInput, timeZone: string): ViewerFilters {
  const filters: ViewerFilters = {};
  if (input.filters?.types) filters.types = [...new Set(input.filters.types)];
  if (input.filters?.from) {
    const from = parseTimeBound(input.filters.from, timeZone, "start");
    if (from === null)
      throw new ValidationError("filters.from: not a date or time", [
        { path: "filters.from", message: "not a date or time" },
      ]);
    filters.from = from;
  }
  return filters;
}

/**
 * Mints a single-use viewer token (an admin key's verb). Only its SHA-256 is stored; the answer
 * carries the token once. The mint is an `activity` event of the organisation.
 */
export async function mintViewerToken(
  ctx: KeyContext,
  input: ViewerTokenInput,
  now = Date.now(),
): Promise<{ id: string; token: string; expiresAt: number }> {
  if (!input.permissions.includes("read"))
    throw new ValidationError("permissions: must include read", [
      { path: "permissions", message: "must include read" },
    ]);
  const filters = viewerFilters(input, ctx.project.timezone);
  const token = `${TOKEN_PREFIX}${randomToken()}`;
  const id = newId("vws", now);
  const expiresAt = now + input.expires_in * 1000;
  const row: ViewerSession = {
    id,
    projectId: ctx.project.id,
    organizationId: input.organization_id,
    tokenHash: await hashToken(token),
    sessionHash: null,
    actor: input.actor,
    filters,
    permissions: [...new Set(input.permissions)],
    theme: input.theme ?? {},
    createdBy: ctx.actor.key.id,
    createdAt: now,
    tokenExpiresAt: expiresAt,
    sessionTtlMs: input.session_expires_in * 1000,
    redeemedAt: null,
    sessionExpiresAt: null,
    revokedAt: null,
  };
  await ctx.db.insert(viewerSessions).values(row);
  await logOwnEvent(ctx, [ctx.project], {
    category: "activity",
    type: "viewer_token.created",
    status: "success",
    summary: `Viewer link for ${input.actor.name || input.actor.email || input.actor.id} created`,
    organization_id: input.organization_id,
    entity: { type: "viewer_session", id },
    metadata: { viewer: input.actor, permissions: row.permissions, expires_at: new Date(expiresAt).toISOString() },
    ...doneBy(ctx),
  });
  return { id, token, expiresAt };
}

/** What an embedded viewer may do: read (and export) one organisation's events, within its filters. */
export function viewerAccess(session: ViewerSession): Access {
  const permissions: Permission[] = ["events.read"];
  if (session.permissions.includes("export")) permissions.push("events.export");
  return {
    role: "viewer",
    organizationId: session.organizationId,
    customRole: { id: "embedded_viewer", name: "embedded viewer", permissions },
    limits: session.filters,
  };
}

export type OpenViewer = {
  session: ViewerSession;
  project: Project;
  placement: PlacementRef;
  settings: EmbedSettingsValues;
  /** The look: the token's claims over the project's settings. */
  theme: EmbedTheme;
};

async function withProject(ctx: ServiceContext, session: ViewerSession): Promise<OpenViewer | undefined> {
  const [found] = await ctx.db
    .select({ project: projects, placement: { shard: placements.shard, pn: placements.pn } })
    .from(projects)
    .innerJoin(placements, eq(placements.projectId, projects.id))
    .where(eq(projects.id, session.projectId))
    .limit(1);
  if (!found) return undefined;
  const settings = await getEmbedSettings(ctx, session.projectId);
  return { session, ...found, settings, theme: { ...settings.theme, ...session.theme } };
}

/**
 * Opens a viewer session from a token: one guarded update spends the token, so of two requests
 * with the same token only one gets a session. Undefined: unknown, spent, expired or revoked —
 * the same answer for each, so a token cannot be probed. The session is logged as
 * `viewer.session_started`, naming the embedded actor.
 */
export async function redeemViewerToken(
  ctx: ServiceContext,
  token: string,
  now = Date.now(),
): Promise<{ viewer: OpenViewer; cookie: string } | undefined> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
  const cookie = randomToken();
  const [session] = await ctx.db
    .update(viewerSessions)
    .set({
      redeemedAt: now,
      sessionHash: await hashToken(cookie),
      sessionExpiresAt: sql`${now} + ${viewerSessions.sessionTtlMs}`,
    })
    .where(
      and(
        eq(viewerSessions.tokenHash, await hashToken(token)),
        isNull(viewerSessions.redeemedAt),
        isNull(viewerSessions.revokedAt),
        gt(viewerSessions.tokenExpiresAt, now),
      ),
    )
    .returning();
  if (!session) return undefined;
  const viewer = await withProject(ctx, session);
  if (!viewer) return undefined;
  const inside: ProjectContext = {
    ...inProject(ctx, viewer.project, viewer.placement),
    // The path held the token; the event keeps where, not what.
    origin: { ...ctx.origin, path: "/embed/t/…" },
  };
  const actor = { kind: "viewer" as const, session, access: viewerAccess(session) };
  await logOwnEvent(inside, [viewer.project], {
    category: "activity",
    type: "viewer.session_started",
    status: "success",
    summary: `${session.actor.name || session.actor.email || session.actor.id} opened the embedded viewer`,
    organization_id: session.organizationId,
    entity: { type: "viewer_session", id: session.id },
    metadata: {
      permissions: session.permissions,
      expires_at: new Date(session.sessionExpiresAt ?? now).toISOString(),
    },
    ...doneBy(withActor(inside, actor)),
  });
  return { viewer, cookie };
}

/** The open viewer session of this id whose cookie this is; undefined once it expired or was revoked. */
export async function findViewerSession(
  ctx: ServiceContext,
  id: string,
  cookie: string,
  now = Date.now(),
): Promise<OpenViewer | undefined> {
  if (cookie.length > 200) return undefined;
  const [session] = await ctx.db
    .select()
    .from(viewerSessions)
    .where(
      and(
        eq(viewerSessions.id, id),
        eq(viewerSessions.sessionHash, await hashToken(cookie)),
        isNull(viewerSessions.revokedAt),
        gt(viewerSessions.sessionExpiresAt, now),
      ),
    )
    .limit(1);
  return session && withProject(ctx, session);
}

/**
 * Ends every viewer session of an organisation, and spends its links not yet opened. Recorded as
 * a configuration event.
 */
export async function revokeViewerSessions(
  ctx: ProjectContext,
  organizationId: string,
  now = Date.now(),
): Promise<number> {
  const ended = await ctx.db
    .update(viewerSessions)
    .set({ revokedAt: now })
    .where(
      and(
        eq(viewerSessions.projectId, ctx.project.id),
        eq(viewerSessions.organizationId, organizationId),
        isNull(viewerSessions.revokedAt),
        or(
          and(isNull(viewerSessions.redeemedAt), gt(viewerSessions.tokenExpiresAt, now)),
          gt(viewerSessions.sessionExpiresAt, now),
        ),
      ),
    )
    .returning({ id: viewerSessions.id });
  await logChange(ctx, {
    type: "viewer.sessions_revoked",
    summary: `Viewer sessions of organisation ${organizationId} ended (${ended.length})`,
    entity: { type: "organization", id: organizationId },
    metadata: { revoked: ended.length },
  });
  return ended.length;
}
