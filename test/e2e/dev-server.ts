import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";

// `wrangler dev` processes this test file starts and kills itself. Each runs in its own process group
// (spawned detached), so a kill reaches wrangler, workerd and esbuild, and nothing else on the machine.

export const ROOT = path.resolve(import.meta.dirname, "../..");
const WRANGLER = path.join(ROOT, "node_modules", ".bin", "wrangler");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** A project, its owner and an admin API key in a local state directory (scripts/bootstrap.mjs). */
export function bootstrapState(state: string): { apiKey: string; projectId: string; shard: string } {
  const boot = spawnSync(
    process.execPath,
    ["scripts/bootstrap.mjs", "--local", "--persist-to", state, "--email", "crash@example.com", "--project", "Crash"],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, CI: "1" } },
  );
  if (boot.status !== 0) throw new Error(`bootstrap failed:\n${boot.stderr}`);
  const created = JSON.parse(boot.stdout.trim().split("\n").at(-1) ?? "{}") as {
    api_key: string;
    project_id: string;
    shard: string;
  };
  return { apiKey: created.api_key, projectId: created.project_id, shard: created.shard };
}

/**
 * How many rows the newest import task has committed, read from the control database's file while
 * the server runs: a server busy importing may answer its own API only once the import is done.
 * Undefined while there is no import, or while the file is locked by a write.
 */
export function committedImportRows(state: string): number | undefined {
  const dir = path.join(state, "v3", "d1", "miniflare-D1DatabaseObject");
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite")) {
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(path.join(dir, name), { readOnly: true });
      if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'tasks'").get()) continue;
      const row = db
        .prepare("SELECT processed FROM tasks WHERE type = 'import' ORDER BY created_at DESC LIMIT 1")
        .get();
      return row ? Number(row.processed) : undefined;
    } catch {
      return undefined;
    } finally {
      db?.close();
    }
  }
  return undefined;
}

/**
 * Rows of one SQL statement against a local D1 database of a state directory (the control database,
 * or an event shard by its binding); no server may be running on it.
 */
export function queryState<T>(state: string, sql: string, binding = "DB"): T[] {
  const run = spawnSync(
    WRANGLER,
    ["d1", "execute", binding, "--local", "--persist-to", state, "--json", "--command", sql],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false" } },
  );
  if (run.status !== 0) throw new Error(`wrangler d1 execute failed:\n${run.stderr}\n${run.stdout}`);
  const answers = JSON.parse(run.stdout) as { results: T[] }[];
  return answers.at(-1)?.results ?? [];
}

export type DevServer = { url: string; child: ChildProcess; pgid: number; output: () => string };

export async function startDev(state: string, vars: Record<string, string>): Promise<DevServer> {
  const port = await freePort();
  const child = spawn(
    WRANGLER,
    [
      "dev",
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--persist-to",
      state,
      ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    ],
    {
      cwd: ROOT,
      env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  if (!child.pid) throw new Error("wrangler dev did not start");
  let log = "";
  child.stdout?.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  const server = { url: `http://127.0.0.1:${port}`, child, pgid: child.pid, output: () => log };
  for (let i = 0; i < 240 && child.exitCode === null; i++) {
    try {
      if ((await fetch(`${server.url}/healthz`)).ok) return server;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  // Whatever of its process group still runs (workerd, esbuild) goes with it.
  await stopDev(server, "SIGKILL");
  throw new Error(`wrangler dev did not answer within a minute (exit code ${child.exitCode}):\n${log}`);
}

/** Process ids whose process group is `pgid`, read from /proc. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command name (which may hold spaces, inside parentheses): state, ppid, pgrp.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // A zombie is dead already, only not yet reaped by its parent.
      if (Number(fields[2]) === pgid && fields[0] !== "Z") members.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return members;
}

/**
 * Signals the server's whole process group and waits until none of its processes is left; SIGTERM
 * that lingers past 10 s is followed by SIGKILL.
 */
export async function stopDev(server: DevServer, signal: "SIGKILL" | "SIGTERM"): Promise<void> {
  const send = (s: NodeJS.Signals) => {
    try {
      process.kill(-server.pgid, s);
    } catch {
      // the group is gone
    }
  };
  send(signal);
  const deadline = Date.now() + 10_000;
  while (groupMembers(server.pgid).length > 0) {
    if (Date.now() > deadline && signal === "SIGTERM") {
      send("SIGKILL");
      signal = "SIGKILL";
    }
    if (Date.now() > deadline + 10_000) throw new Error(`processes ${groupMembers(server.pgid)} outlived SIGKILL`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
