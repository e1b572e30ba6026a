import { Hono } from "hono";
import { eq } from "drizzle-orm";
import type { ProjectEnv, SignedInEnv } from "../../env";
import { memberships, projects } from "../../db/schema";
import { NotFoundError, ValidationError } from "../../lib/errors";
import { requireMembership, requirePermission } from "../../middleware/session";
import { compileFilters, EventFilters, scopeForAccess, type EventQuery } from "../../services/events/filters";
import { countEvents, getEvent, listEvents } from "../../services/events/query";
import { toValidationError } from "../../lib/validation";
import { EventDetail, Events } from "../../../views/pages/Events";
import { Projects } from "../../../views/pages/Projects";
import { frame } from "./frame";
import { settingsPages } from "./settings";

export const projectListPages = new Hono<SignedInEnv>().get("/", async (c) => {
  const rows = await c.var.db
    .select({ id: projects.id, name: projects.name, role: memberships.role, organizationId: memberships.organizationId })
    .from(memberships)
    .innerJoin(projects, eq(projects.id, memberships.projectId))
    .where(eq(memberships.userId, c.var.user.id))
    .orderBy(projects.name);
  return c.html(<Projects nonce={c.get("secureHeadersNonce")} user={c.var.user} projects={rows} />);
});

export const projectPages = new Hono<ProjectEnv>()
  .use(requireMembership)
  .route("/settings", settingsPages)
  .get("/", (c) => c.redirect(`/p/${c.var.project.id}/events`, 303))
  .get("/events", requirePermission("events.read"), async (c) => {
    const { project, access, db } = c.var;
    const parsed = EventFilters.safeParse(c.req.query());
    let query: EventQuery | undefined;
    let error: string | undefined;
    if (!parsed.success) error = toValidationError(parsed.error, "query").message;
    else {
      try {
        query = compileFilters(parsed.data, project.timezone);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        error = e.message;
      }
    }
    // A filter that cannot be read shows its message and no rows, never everything unfiltered.
    const scoped = query && scopeForAccess(query, access);
    const [page, count] = scoped
      ? await Promise.all([listEvents(db, project.id, scoped, { limit: 50 }), countEvents(db, project.id, scoped)])
      : [{ data: [] }, 0];
    return c.html(<Events {...frame(c, "/events")} events={page.data} count={count} error={error} />);
  })
  .get("/events/:eventId", requirePermission("events.read"), async (c) => {
    const { project, access, db } = c.var;
    const event = await getEvent(db, project.id, c.req.param("eventId"), scopeForAccess({ conditions: [], text: [] }, access));
    if (!event) throw new NotFoundError("There is no event with this id in this project.");
    return c.html(<EventDetail {...frame(c, "/events")} event={event} />);
  });
