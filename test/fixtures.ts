import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { expect } from "vitest";
import { apiKeys, memberships, type Placement, type Project, placements, roles, users } from "../src/db/schema";
import { shardDatabase } from "../src/db/shard/bindings";
import { FACETS, type FacetName } from "../src/db/shard/schema";
import { newId } from "../src/lib/ids";
import { hashPassword } from "../src/lib/password";
import {
  type Actor,
  createContext,
  inProject,
  type KeyContext,
  type ProjectContext,
  type ServiceContext,
  withActor,
} from "../src/services/context";
import { createApiKey } from "../src/services/keys/create";
import { createProject } from "../src/services/projects/create";

export type Tenant = { project: Project; keys: { ingest: string; read: string; admin: string } };

/**
 * A service context for work a test does itself, as the system unless `actor` says otherwise;
 * `from` is the environment (a test may hand in one whose bindings fail on purpose).
 */
export function systemContext(from: Env = env, actor: Actor = { kind: "system", name: "test" }): ServiceContext {
  return createContext(from, { actor });
}

/** Where the projects tests made live (createTenant records it), so a context is one call away. */
const placed = new Map<string, Placement>();

/** The same, inside one project (made by createTenant). */
export function projectContext(project: Project, from: Env = env, actor?: Actor): ProjectContext {
  const placement = placed.get(project.id);
  if (!placement) throw new Error(`no placement recorded for ${project.id}: make projects with createTenant`);
  return inProject(systemContext(from, actor), project, placement);
}

/** The project's event shard: its D1 database and the project's number there, for tests that read it with SQL. */
export function shardOf(project: Pick<Project, "id">): { d1: D1Database; pn: number; binding: string } {
  const placement = placed.get(project.id);
  const d1 = placement && shardDatabase(env, placement.shard);
  if (!placement || !d1) throw new Error(`no shard recorded for ${project.id}`);
  return { d1, pn: placement.pn, binding: placement.shard };
}

/** A context acting as the tenant's API key of `scope` (as a request with that key would). */
export async function keyContext(
  tenant: Tenant,
  scope: "ingest" | "read" | "admin" = "admin",
  from: Env = env,
): Promise<KeyContext> {
  const ctx = projectContext(tenant.project, from);
  const [key] = await ctx.db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.projectId, tenant.project.id), eq(apiKeys.scope, scope)))
    .limit(1);
  if (!key) throw new Error(`the tenant has no ${scope} key`);
  return withActor(ctx, { kind: "key", key });
}

/**
 * For tests that write events with SQL rather than through ingest: the project's event_counts as
 * ingest keeps them (src/db/shard/write.ts), recounted from its rows.
 */
export async function recountDays(project: Project): Promise<void> {
  const { d1, pn } = shardOf(project);
  await d1.batch([
    d1.prepare("DELETE FROM event_counts WHERE pn = ?").bind(pn),
    d1
      .prepare(
        "INSERT INTO event_counts (pn, day, n) SELECT pn, max(occurred_at, 0) / 86400000, count(*) FROM events WHERE pn = ? GROUP BY 1, 2",
      )
      .bind(pn),
  ]);
}

/**
 * For tests that write events with SQL rather than through ingest: a filter value's id in the
 * project's shard dictionary (`terms`), as an SQL expression. addTerms first adds the entries.
 */
export function termSql(facet: Exclude<FacetName, "actor">, value: string): string {
  return `(SELECT id FROM terms WHERE facet = ${FACETS[facet]} AND value = '${value.replace(/'/g, "''")}')`;
}

/** Adds dictionary entries to the project's shard (as ingest does before storing events that use them). */
export async function addTerms(project: Project, entries: [Exclude<FacetName, "actor">, string][]): Promise<void> {
  const { d1 } = shardOf(project);
  await d1
    .prepare("INSERT OR IGNORE INTO terms (facet, value) SELECT j.value ->> 0, j.value ->> 1 FROM json_each(?1) AS j")
    .bind(JSON.stringify(entries.map(([facet, value]) => [FACETS[facet], value])))
    .run();
}

export async function createTenant(
  options: { timezone?: string; redactionKeys?: string[]; region?: "default" | "eu" } = {},
): Promise<Tenant> {
  const project = await createProject(systemContext(), { name: "Test project", ...options });
  const [placement] = await systemContext().db.select().from(placements).where(eq(placements.projectId, project.id));
  if (!placement) throw new Error("createProject placed no project");
  placed.set(project.id, placement);
  const make = async (scope: "ingest" | "read" | "admin") =>
    (await createApiKey(projectContext(project), { name: `${scope} key`, scope })).secret;
  return { project, keys: { ingest: await make("ingest"), read: await make("read"), admin: await make("admin") } };
}

type ApiOptions = { key?: string | undefined; body?: unknown; rawBody?: string; headers?: Record<string, string> };

export async function api(method: string, path: string, options: ApiOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.Authorization = `Bearer ${options.key}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["Content-Type"] ??= "application/json";
  }
  return exports.default.fetch(
    new Request(`http://trailbook.test${path}`, { method, headers, body, redirect: "manual" }),
  );
}

/**
 * A tenant holding `eventsFor("evt")`, posted through ingest 80 at a time, beside another tenant
 * holding `eventsFor("oth")`, so a query that leaked across projects would show in the results.
 */
export async function tenantBesideAnother(eventsFor: (prefix: string) => Record<string, unknown>[]): Promise<Tenant> {
  const tenant = await createTenant();
  const other = await createTenant();
  for (const [t, prefix] of [
    [tenant, "evt"],
    [other, "oth"],
  ] as const) {
    const all = eventsFor(prefix);
    for (let i = 0; i < all.length; i += 80) {
      await expectJson(
        await api("POST", "/v1/events/batch", { key: t.keys.ingest, body: { events: all.slice(i, i + 80) } }),
        201,
      );
    }
  }
  return tenant;
}

/** Parses a JSON answer after asserting its status; a failure prints the body. */
export async function expectJson<T = Record<string, unknown>>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return JSON.parse(text) as T;
}

/** Asserts an RFC 9457 problem with the given status and returns it. */
export async function expectProblem(response: Response, status: number) {
  const problem = await expectJson<{
    type: string;
    title: string;
    status: number;
    detail: string;
    errors: { path: string; message: string }[];
    request_id: string;
  }>(response, status);
  expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  expect(problem).toMatchObject({
    status,
    type: expect.stringMatching(/^\/problems\//),
    request_id: expect.stringMatching(/^req_/),
  });
  expect(problem.detail.length).toBeGreaterThan(0);
  return problem;
}

/** The authorisation cases every API route gets (the same three for every route): no key, bad key, wrong scope. */
export async function expectAuthorisation(
  request: (key: string | undefined) => Promise<Response>,
  tenant: Tenant,
  wrongScopes: ("ingest" | "read")[],
) {
  await expectProblem(await request(undefined), 401);
  await expectProblem(await request("tb_not-a-real-key"), 401);
  await expectProblem(await request("Basic abc"), 401);
  for (const scope of wrongScopes) await expectProblem(await request(tenant.keys[scope]), 403);
}

// ---- Dashboard -------------------------------------------------------------------------------

export const ORIGIN = "http://trailbook.test";

export type Member = { userId: string; email: string; password: string };

/** A user with a password and a membership in the tenant's project. */
export async function createMember(
  tenant: Tenant,
  role: "owner" | "admin" | "member" | "viewer",
  options: { organizationId?: string; email?: string; password?: string; roleId?: string } = {},
): Promise<Member> {
  const { db } = systemContext();
  const userId = newId("usr");
  const email = options.email ?? `${role}.${userId.slice(-8)}@example.com`;
  const password = options.password ?? `pw-${userId.slice(-12)}`;
  await db.insert(users).values({
    id: userId,
    email,
    name: `${role} person`,
    passwordHash: await hashPassword(password),
    createdAt: Date.now(),
  });
  await db.insert(memberships).values({
    projectId: tenant.project.id,
    userId,
    role,
    organizationId: options.organizationId ?? null,
    roleId: options.roleId ?? null,
    createdAt: Date.now(),
  });
  return { userId, email, password };
}

type DashOptions = {
  cookie?: string | undefined;
  form?: Record<string, string>;
  /** A body sent as it is (e.g. a form with repeated fields); give its Content-Type in `headers`. */
  rawBody?: string;
  headers?: Record<string, string>;
  origin?: string | null;
};

/** A custom role of the tenant's project holding exactly `permissions` (README "Roles"). */
export async function createCustomRole(tenant: Tenant, name: string, permissions: string[]): Promise<string> {
  const id = newId("rol");
  await systemContext()
    .db.insert(roles)
    .values({ id, projectId: tenant.project.id, name, permissions, createdAt: Date.now(), updatedAt: Date.now() });
  return id;
}

/** A browser-like dashboard request: same-origin by default, a form body when given. */
export async function dash(method: string, path: string, options: DashOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {
    "User-Agent": "vitest-browser",
    "CF-Connecting-IP": "198.51.100.1",
    ...options.headers,
  };
  if (options.origin !== null && method !== "GET") headers.Origin = options.origin ?? ORIGIN;
  if (options.cookie) headers.Cookie = options.cookie;
  let body: string | undefined = options.rawBody;
  if (options.form) {
    body = new URLSearchParams(options.form).toString();
    headers["Content-Type"] = "application/x-www-form-urlencoded";
  }
  return exports.default.fetch(new Request(`${ORIGIN}${path}`, { method, headers, body, redirect: "manual" }));
}

/** The `name=value` pair of a Set-Cookie header, ready to send back. */
export function cookieFrom(response: Response, name: string): string | undefined {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(";");
    if (pair?.startsWith(`${name}=`) && pair.length > name.length + 1) return pair;
  }
  return undefined;
}

export const SESSION = "__Host-tb_session";

/** Signs in through the form and returns the session cookie. */
export async function signIn(
  member: Pick<Member, "email" | "password">,
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await dash("POST", "/login", { form: { email: member.email, password: member.password }, headers });
  const cookie = cookieFrom(response, SESSION);
  if (response.status !== 303 || !cookie)
    throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  return cookie;
}

/** The stored events of a project (read on its shard), as the raw rows' JSON, newest first. */
export async function storedEvents(projectId: string): Promise<Record<string, unknown>[]> {
  const { d1, pn } = shardOf({ id: projectId });
  const { results } = await d1
    .prepare("SELECT data FROM events WHERE pn = ? ORDER BY seq DESC")
    .bind(pn)
    .all<{ data: string }>();
  return results.map((r) => JSON.parse(r.data) as Record<string, unknown>);
}

/**
 * Every row a project's events left on its shard, as one string: the events, their changed fields
 * (by name), the dictionary entries and actors they use, the words the full-text index holds for
 * them, and their webhook outbox rows. A secret must appear in none of it.
 */
export async function storedRowsText(projectId: string): Promise<string> {
  const { d1, pn } = shardOf({ id: projectId });
  const [events, changes, terms, actors, words, outbox] = await d1.batch([
    d1.prepare("SELECT * FROM events WHERE pn = ?1").bind(pn),
    d1
      .prepare("SELECT c.*, t.value AS name FROM event_changes c JOIN terms t ON t.id = c.field WHERE c.pn = ?1")
      .bind(pn),
    d1
      .prepare("SELECT * FROM terms WHERE id IN (SELECT value FROM event_facets WHERE pn = ?1 AND facet <> 5)")
      .bind(pn),
    d1
      .prepare("SELECT * FROM actors WHERE id IN (SELECT value FROM event_facets WHERE pn = ?1 AND facet = 5)")
      .bind(pn),
    d1.prepare("SELECT term FROM events_fts_terms WHERE doc IN (SELECT seq FROM events WHERE pn = ?1)").bind(pn),
    d1.prepare("SELECT * FROM webhook_outbox WHERE pn = ?1").bind(pn),
  ]);
  return JSON.stringify([events, changes, terms, actors, words, outbox].map((r) => r?.results));
}

/**
 * What an explorer page's counter shows once htmx has loaded it: the page itself does not count,
 * its `#counter` names the fragment that does. Fails when the page has no pending counter.
 */
export async function explorerCount(html: string, cookie: string): Promise<string> {
  const href = /id="counter" hx-get="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, "&");
  if (!href)
    throw new Error(
      `the page has no counter to load: ${/<span class="counter[\s\S]*?<\/span>/.exec(html)?.[0] ?? html.slice(0, 300)}`,
    );
  const response = await dash("GET", href, { cookie, headers: { "HX-Request": "true", "HX-Target": "counter" } });
  const fragment = await response.text();
  expect(response.status, fragment).toBe(200);
  return fragment;
}

/**
 * A dashboard change answers Post/Redirect/Get: asserts the 303 and loads the page it leads to,
 * carrying the one-time message cookie it set (and `cookie`, the session).
 */
export async function followRedirect(response: Response, cookie?: string): Promise<Response> {
  const location = response.headers.get("Location");
  expect(response.status, response.bodyUsed ? "" : await response.clone().text()).toBe(303);
  if (!location) throw new Error("the redirect has no Location");
  const flash = cookieFrom(response, "tb_flash");
  return dash("GET", location, { cookie: [cookie, flash].filter(Boolean).join("; ") });
}
