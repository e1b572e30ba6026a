import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../../src/db/client";
import {
  dataExports,
  notificationArchives,
  notifications,
  tasks,
  webhookEndpoints,
  webhookSendouts,
} from "../../../src/db/schema";
import { encodeKeyset } from "../../../src/lib/keyset";
import { createApiKey } from "../../../src/services/keys/create";
import { api, createTenant, expectJson, expectProblem, projectContext, type Tenant } from "../../fixtures";

const db = createDb(env.DB);

/** Rows three to a millisecond, so pages also break between rows of the same time (ordered by id). */
const at = (base: number, i: number) => base + Math.floor(i / 3) * 1000;
/** Random ids: their order is not the order of insertion, so the tie-break is really by id. */
const rid = (prefix: string) => `${prefix}_${crypto.randomUUID().replace(/-/g, "")}`;

type Seeded = { id: string; createdAt: number; tag: string };

type ListCase = {
  name: string;
  path: string;
  key: "read" | "admin";
  /** Adds row `i` (tagged with a value a filter can select) and returns it. */
  seed: (t: Tenant, i: number, createdAt: number) => Promise<Seeded>;
  /** A filter of the endpoint, and the tag of the rows it keeps. */
  filter?: { query: string; tag: string };
};

/**
 * Keys of one scope, used in turn: the tests' rate limit is 30 requests a minute per key, and a walk
 * one row at a time takes more. Archiving is per key, so an archived notification is archived for each.
 */
type Pool = { next: () => string; ids: string[] };
const pools = new Map<string, Pool>();

async function pool(t: Tenant, scope: "read" | "admin"): Promise<Pool> {
  const found = pools.get(t.project.id);
  if (found) return found;
  const keys: Awaited<ReturnType<typeof createApiKey>>[] = [];
  for (let i = 0; i < 10; i++) keys.push(await createApiKey(projectContext(t.project), { name: `k${i}`, scope }));
  let turn = 0;
  const made = { next: () => keys[turn++ % keys.length]?.secret ?? "", ids: keys.map((k) => k.key.id) };
  pools.set(t.project.id, made);
  return made;
}

async function task(t: Tenant, type: "import" | "export", createdAt: number, status: "done" | "failed" = "done") {
  const id = rid("tsk");
  await db.insert(tasks).values({
    id,
    projectId: t.project.id,
    type,
    status,
    params: {},
    createdBy: null,
    createdAt,
    updatedAt: createdAt,
  });
  return id;
}

const endpointOf = new Map<string, string>();
async function endpoint(t: Tenant, createdAt: number): Promise<string> {
  const id = rid("whe");
  await db.insert(webhookEndpoints).values({
    id,
    projectId: t.project.id,
    url: `https://hooks.example.com/${id}`,
    eventTypes: ["*"],
    secret: "sealed",
    createdAt,
    updatedAt: createdAt,
  });
  return id;
}

const CASES: ListCase[] = [
  {
    name: "tasks",
    path: "/v1/tasks",
    key: "read",
    seed: async (t, i, createdAt) => {
      const type = i % 2 ? "export" : "import";
      return { id: await task(t, type, createdAt), createdAt, tag: type };
    },
    filter: { query: "type=export", tag: "export" },
  },
  {
    name: "imports",
    path: "/v1/imports",
    key: "read",
    seed: async (t, i, createdAt) => {
      const status = i % 3 ? "done" : "failed";
      // An export task beside each import: the imports list never shows it.
      await task(t, "export", createdAt);
      return { id: await task(t, "import", createdAt, status), createdAt, tag: status };
    },
    filter: { query: "status=failed", tag: "failed" },
  },
  {
    name: "exports",
    path: "/v1/exports",
    key: "read",
    seed: async (t, _i, createdAt) => {
      const id = rid("exp");
      await db.insert(dataExports).values({
        id,
        projectId: t.project.id,
        taskId: await task(t, "export", createdAt),
        format: "csv",
        gzip: false,
        filters: {},
        scope: { organizationId: null, configuration: true },
        fileKey: `exports/${id}.csv`,
        createdBy: "key",
        createdByName: "a key",
        createdAt,
        expiresAt: createdAt + 86400_000,
      });
      return { id, createdAt, tag: "" };
    },
  },
  {
    name: "webhook endpoints",
    path: "/v1/webhooks",
    key: "admin",
    seed: async (t, _i, createdAt) => ({ id: await endpoint(t, createdAt), createdAt, tag: "" }),
  },
  {
    name: "webhook sendouts",
    path: "/v1/webhook-sendouts",
    key: "read",
    seed: async (t, i, createdAt) => {
      let endpointId = endpointOf.get(t.project.id);
      if (!endpointId) {
        endpointId = await endpoint(t, createdAt);
        endpointOf.set(t.project.id, endpointId);
      }
      const id = rid("whs");
      const status = i % 2 ? "error" : "sent";
      await db.insert(webhookSendouts).values({
        id,
        projectId: t.project.id,
        endpointId,
        eventId: `evt_${i}`,
        eventType: "commission.updated",
        status,
        createdAt,
        updatedAt: createdAt,
      });
      return { id, createdAt, tag: status };
    },
    filter: { query: "status=error", tag: "error" },
  },
  {
    name: "notifications",
    path: "/v1/notifications",
    key: "read",
    seed: async (t, i, createdAt) => {
      const id = rid("ntf");
      const base = { projectId: t.project.id, type: "export.ready", title: `n${i}`, createdAt };
      await db.insert(notifications).values({ id, ...base });
      // Meant for one member: never listed to a key.
      await db.insert(notifications).values({ id: rid("ntf"), ...base, userId: "usr_someone" });
      const archived = i % 4 === 0;
      if (archived)
        for (const keyId of (await pool(t, "read")).ids)
          await db.insert(notificationArchives).values({ notificationId: id, userId: keyId, archivedAt: 1 });
      return { id, createdAt, tag: archived ? "archived" : "open" };
    },
    filter: { query: "archived=true", tag: "archived" },
  },
];

/** Newest first by (created_at, id). */
const newestFirst = (rows: Seeded[]) =>
  [...rows].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((r) => r.id);

type Listed = { data: { id: string }[]; next_cursor: string | null };

async function walk(path: string, key: Pool, limit: number, between?: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 200; pages++) {
    const sep = path.includes("?") ? "&" : "?";
    const url: string = `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const page: Listed = await expectJson<Listed>(await api("GET", url, { key: key.next() }), 200);
    expect(page.data.length).toBeLessThanOrEqual(limit);
    seen.push(...page.data.map((r) => r.id));
    cursor = page.next_cursor;
    if (!cursor) return seen;
    expect(page.data).toHaveLength(limit);
    await between?.();
  }
  throw new Error("the walk did not end");
}

describe.each(CASES)("GET $path", (c) => {
  let tenant: Tenant;
  let other: Tenant;
  let keys: Pool;
  let rows: Seeded[];
  const base = Date.now() - 3600_000;

  beforeAll(async () => {
    tenant = await createTenant();
    other = await createTenant();
    keys = await pool(tenant, c.key);
    await pool(other, c.key);
    rows = [];
    for (let i = 0; i < 23; i++) {
      rows.push(await c.seed(tenant, i, at(base, i)));
      await c.seed(other, i, at(base, i));
    }
  });

  // Open notifications only, unless asked for archived ones.
  const listed = () => (c.name === "notifications" ? rows.filter((r) => r.tag === "open") : rows);

  it("walks every row exactly once, newest first, in pages of any size; other projects' rows never appear", async () => {
    for (const limit of [1, 4, 200]) {
      expect(await walk(c.path, keys, limit)).toEqual(newestFirst(listed()));
    }
    const theirs = await walk(c.path, await pool(other, c.key), 5);
    expect(theirs.filter((id) => rows.some((r) => r.id === id))).toEqual([]);
  });

  it("is stable while rows are added between pages", async () => {
    const before = newestFirst(listed());
    let n = 100;
    const added: Seeded[] = [];
    const seen = await walk(c.path, keys, 4, async () => {
      added.push(await c.seed(tenant, n++, Date.now()));
    });
    expect(seen).toEqual(before);
    expect(added.length).toBeGreaterThanOrEqual(3);
    rows.push(...added);
    // The next walk has them, at the top.
    expect(await walk(c.path, keys, 7)).toEqual(newestFirst(listed()));
  });

  it("answers 50 rows by default", async () => {
    for (let i = 200; listed().length <= 50; i++) rows.push(await c.seed(tenant, i, base - i * 1000));
    const page = await expectJson<Listed>(await api("GET", c.path, { key: keys.next() }), 200);
    expect(page.data.map((r) => r.id)).toEqual(newestFirst(listed()).slice(0, 50));
    expect(page.next_cursor).toEqual(expect.any(String));
  });

  if (c.filter) {
    const filter = c.filter;
    it(`keeps its filter (${filter.query}) across pages`, async () => {
      const expected = newestFirst(rows.filter((r) => r.tag === filter.tag));
      expect(expected.length).toBeGreaterThan(3);
      expect(await walk(`${c.path}?${filter.query}`, keys, 3)).toEqual(expected);
    });
  }

  it("refuses a limit out of range or a malformed cursor with a 422 naming it", async () => {
    for (const limit of ["0", "201", "-1", "2.5", "ten", ""]) {
      const problem = await expectProblem(await api("GET", `${c.path}?limit=${limit}`, { key: keys.next() }), 422);
      expect(problem.errors.map((e) => e.path)).toEqual(["limit"]);
    }
    const bad = [
      "!!!",
      "bm90LWpzb24",
      btoa(JSON.stringify([1])),
      btoa(JSON.stringify(["x", "y"])),
      btoa(JSON.stringify([1.5, "y"])),
      "x".repeat(501),
    ];
    for (const cursor of bad) {
      const problem = await expectProblem(
        await api("GET", `${c.path}?cursor=${encodeURIComponent(cursor)}`, { key: keys.next() }),
        422,
      );
      expect(problem.errors.map((e) => e.path)).toEqual(["cursor"]);
    }
    await expectProblem(await api("GET", `${c.path}?page=2`, { key: keys.next() }), 422);
    // A well-formed cursor is a position, whoever made it: past every row, the page is empty.
    const past = await expectJson<Listed>(
      await api("GET", `${c.path}?cursor=${encodeKeyset(0, "")}`, { key: keys.next() }),
      200,
    );
    expect(past).toEqual({ data: [], next_cursor: null });
  });
});

describe("the OpenAPI document", () => {
  it("describes limit, cursor and next_cursor on every list", async () => {
    const doc = await expectJson<{
      paths: Record<
        string,
        {
          get?: {
            parameters?: { name: string; in: string }[];
            responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
          };
        }
      >;
    }>(await api("GET", "/v1/openapi.json"), 200);
    for (const c of CASES) {
      const get = doc.paths[c.path]?.get ?? doc.paths[`${c.path}/`]?.get;
      if (!get) throw new Error(`no GET ${c.path} in ${Object.keys(doc.paths).join(", ")}`);
      const names = (get.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);
      expect(names).toEqual(expect.arrayContaining(["limit", "cursor"]));
      expect(JSON.stringify(get.responses["200"]?.content?.["application/json"]?.schema)).toContain("next_cursor");
    }
  });
});
