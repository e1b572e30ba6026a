import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { createDb } from "../src/db/client";
import type { Project } from "../src/db/schema";
import { createApiKey } from "../src/services/keys/create";
import { createProject } from "../src/services/projects/create";

export type Tenant = { project: Project; keys: { ingest: string; read: string; admin: string } };

/** A fresh project with one key of each scope. */
export async function createTenant(options: { timezone?: string; redactionKeys?: string[] } = {}): Promise<Tenant> {
  const db = createDb(env.DB);
  const project = await createProject(db, { name: "Test project", ...options });
  const make = async (scope: "ingest" | "read" | "admin") =>
    (await createApiKey(db, { projectId: project.id, name: `${scope} key`, scope })).secret;
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
  return exports.default.fetch(new Request(`http://trailbook.test${path}`, { method, headers, body }));
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
  expect(problem).toMatchObject({ status, type: expect.stringMatching(/^\/problems\//), request_id: expect.stringMatching(/^req_/) });
  expect(problem.detail.length).toBeGreaterThan(0);
  return problem;
}

/** The authorisation cases every API route gets (CONVENTIONS 10): no key, bad key, wrong scope. */
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
