import { env } from "cloudflare:test";
import { expect } from "vitest";
import { createApiKey } from "../../src/services/keys/create";
import { api, projectContext, shardOf, type Tenant } from "../fixtures";

type Scope = "ingest" | "read" | "admin";
const pool = new Map<string, { secret: string; uses: number }>();

/**
 * A key of the tenant's project with that scope, replaced by a new one every 25 requests: keys are
 * rate limited (30 a minute in tests), and these suites send hundreds of requests on purpose.
 */
export async function keyFor(tenant: Tenant, scope: Scope): Promise<string> {
  const name = `${tenant.project.id}:${scope}`;
  let entry = pool.get(name);
  if (!entry || entry.uses >= 25) {
    const made = await createApiKey(projectContext(tenant.project), { name: `pool ${scope}`, scope });
    entry = { secret: made.secret, uses: 0 };
    pool.set(name, entry);
  }
  entry.uses++;
  return entry.secret;
}

/**
 * What a project has stored: events (on its shard), exports and tasks. A refused request changes
 * none of them.
 */
export async function footprint(projectId: string): Promise<{ events: number; exports: number; tasks: number }> {
  const count = async (table: string) =>
    (
      await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE project_id = ?`)
        .bind(projectId)
        .first<{ n: number }>()
    )?.n ?? 0;
  const { d1, pn } = shardOf({ id: projectId });
  const events = (await d1.prepare("SELECT count(*) AS n FROM events WHERE pn = ?").bind(pn).first<number>("n")) ?? 0;
  return { events, exports: await count("exports"), tasks: await count("tasks") };
}

/** Sends a request and asserts a 4xx that changed nothing; returns the response text. */
export async function refused(
  tenant: Tenant,
  send: () => Promise<Response>,
  status: number | ((status: number) => boolean) = (s) => s >= 400 && s < 500,
): Promise<{ status: number; text: string; headers: Headers }> {
  const before = await footprint(tenant.project.id);
  const response = await send();
  const text = await response.text();
  if (typeof status === "number") expect(response.status, text.slice(0, 500)).toBe(status);
  else expect(status(response.status), `${response.status} ${text.slice(0, 500)}`).toBe(true);
  expect(await footprint(tenant.project.id)).toEqual(before);
  return { status: response.status, text, headers: response.headers };
}

/** A JSON body sent exactly as written (lone surrogates, 1e309 and deep nesting survive only as text). */
export async function rawJson(
  tenant: Tenant,
  path: string,
  body: string,
  headers: Record<string, string> = {},
  scope: Scope = "ingest",
): Promise<Response> {
  const key = await keyFor(tenant, scope);
  const retraced = path.startsWith("/publisher/");
  return api("POST", path, {
    key: retraced ? undefined : key,
    rawBody: body,
    headers: { "Content-Type": "application/json", ...(retraced && { Authorization: `token=${key}` }), ...headers },
  });
}

/** An API request with a pooled key of `scope`. */
export async function call(
  tenant: Tenant,
  scope: Scope,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  return api(method, path, { ...options, key: await keyFor(tenant, scope) });
}

export const retracedPath = (tenant: Tenant, bulk = false) =>
  `/publisher/v1/project/${tenant.project.id}/event${bulk ? "/bulk" : ""}`;

/** A WorkOS event body with `event` fields replaced (as JSON text, so any value can be written). */
export function workosBody(event: Record<string, string> = {}, organizationId = '"org_1"'): string {
  const fields: Record<string, string> = {
    action: '"user.signed_in"',
    occurred_at: `"${new Date(Date.now() - 60_000).toISOString()}"`,
    actor: '{"id": "u_1", "type": "user", "name": "Jane"}',
    targets: '[{"id": "t_1", "type": "team"}]',
    context: '{"location": "203.0.113.7"}',
    ...event,
  };
  const inner = Object.entries(fields)
    .map(([k, v]) => `"${k}": ${v}`)
    .join(", ");
  return `{"organization_id": ${organizationId}, "event": {${inner}}}`;
}

/** A Retraced event body with fields replaced (as JSON text). */
export function retracedBody(fields: Record<string, string> = {}): string {
  const all: Record<string, string> = {
    action: '"document.viewed"',
    crud: '"r"',
    actor: '{"id": "u_1", "name": "Jane"}',
    target: '{"id": "doc_1", "type": "document"}',
    ...fields,
  };
  return `{${Object.entries(all)
    .map(([k, v]) => `"${k}": ${v}`)
    .join(", ")}}`;
}
