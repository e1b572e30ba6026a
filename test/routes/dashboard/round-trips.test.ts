import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../../src/app";
import { forgetSessions } from "../../../src/services/session-cache";
import { api, createMember, createTenant, dash, expectJson, shardOf, signIn, type Tenant } from "../../fixtures";

// A project page waits on its database reads one after another: the session and membership first,
// then its own. Each wait is a round trip to D1 (across the network when deployed), so the explorer
// makes two before its rows render: the control database once, then the rows and pickers together,
// in one call. The first is kept for a few seconds (src/services/session-cache.ts), so a page soon
// after makes one.

type Log = { name: string; started: number; ended?: number }[];

/** A D1 binding that logs every call (statement or batch) it makes, with when it started and ended. */
function logged(d1: D1Database, name: string, log: Log): D1Database {
  const real = new WeakMap<object, D1PreparedStatement>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    const entry: Log[number] = { name, started: performance.now() };
    log.push(entry);
    return work.finally(() => {
      entry.ended = performance.now();
    });
  };
  const statement = (s: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(s, {
      get(target, key) {
        if (key === "bind") return (...values: unknown[]) => statement(target.bind(...values));
        if (key === "all" || key === "first" || key === "run" || key === "raw") {
          const method = target[key] as (...a: unknown[]) => Promise<unknown>;
          return (...a: unknown[]) => track(method.apply(target, a));
        }
        const value = Reflect.get(target, key);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    real.set(proxy, s);
    return proxy;
  };
  return new Proxy(d1, {
    get(target, key) {
      if (key === "prepare") return (query: string) => statement(target.prepare(query));
      if (key === "batch")
        return (statements: D1PreparedStatement[]) => track(target.batch(statements.map((s) => real.get(s) ?? s)));
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** How many times the request waited on D1 with nothing else in flight: its sequential round trips. */
function roundTrips(log: Log, before: number): number {
  const calls = log.filter((c) => c.started < before).sort((a, b) => a.started - b.started);
  let rounds = 0;
  let busyUntil = Number.NEGATIVE_INFINITY;
  for (const call of calls) {
    if (call.started >= busyUntil) rounds++;
    busyUntil = Math.max(busyUntil, call.ended ?? Number.POSITIVE_INFINITY);
  }
  return rounds;
}

describe("round trips to D1 before a project page renders", () => {
  let tenant: Tenant;
  let cookie: string;

  beforeAll(async () => {
    tenant = await createTenant();
    await expectJson(
      await api("POST", "/v1/events/batch", {
        key: tenant.keys.ingest,
        body: { events: [{ type: "user.login", summary: "Signed in" }, { type: "commission.updated" }] },
      }),
      201,
    );
    cookie = await signIn(await createMember(tenant, "admin"));
  });
  // Each page below starts with nothing kept, unless the test itself loads one first.
  beforeEach(() => forgetSessions());

  async function load(path: string) {
    const log: Log = [];
    const shard = shardOf(tenant.project).binding as keyof Env;
    const logging = { ...env, DB: logged(env.DB, "control", log) } as Env;
    Object.assign(logging, { [shard]: logged(env[shard] as D1Database, "shard", log) });
    const execution = createExecutionContext();
    const response = await createApp().fetch(
      new Request(`https://trailbook.test${path}`, { headers: { Cookie: cookie } }),
      logging,
      execution,
    );
    const html = await response.text();
    const answered = performance.now();
    await waitOnExecutionContext(execution);
    return { response, html, log, rounds: roundTrips(log, answered) };
  }

  it("the explorer: the control database once (session, membership, unread count, projects), then the shard", async () => {
    const { response, html, log, rounds } = await load(`/p/${tenant.project.id}/events`);
    expect(response.status).toBe(200);
    expect(html).toContain("Signed in");
    expect(rounds).toBe(2);
    expect(log.filter((c) => c.name === "control")).toHaveLength(1);
    expect(log[0]?.name).toBe("control");
    // The rows and the pickers leave together, as one batch (src/db/shard/reads.ts).
    expect(log.filter((c) => c.name === "shard")).toHaveLength(1);
  });

  it("a page within a few seconds of the last reads only the shard; after a change, the control database again", async () => {
    await load(`/p/${tenant.project.id}/events`);
    const again = await load(`/p/${tenant.project.id}/events`);
    expect(again.response.status).toBe(200);
    expect(again.log.map((c) => c.name)).toEqual(["shard"]);
    expect(again.rounds).toBe(1);
    await dash("POST", "/logout", { cookie: await signIn(await createMember(tenant, "member")) });
    const changed = await load(`/p/${tenant.project.id}/events`);
    expect(changed.log[0]?.name).toBe("control");
    expect(changed.rounds).toBe(2);
  });

  it("any other project page reads the session and membership in one call too", async () => {
    const { response, log } = await load(`/p/${tenant.project.id}/notifications`);
    expect(response.status).toBe(200);
    expect(log[0]?.name).toBe("control");
    const first = log[0];
    // Nothing else started before the membership came back.
    expect(log.filter((c) => first?.ended !== undefined && c !== first && c.started < first.ended)).toEqual([]);
  });
});
