import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    email: string;
    password: string;
    apiKey: string;
    projectId: string;
    projectName: string;
    /** A second user, owner of two projects of their own (where sign-in lands: login.e2e.ts). */
    twoEmail: string;
    twoPassword: string;
    twoProjects: { id: string; name: string }[];
  }
}

const ROOT = path.resolve(import.meta.dirname, "../..");
const WRANGLER = path.join(ROOT, "node_modules", ".bin", "wrangler");

function freePort(): Promise<number> {
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

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer within 2 minutes`);
}

/** Own local state, a bootstrapped owner, and `wrangler dev` on a free port. */
export default async function setup(project: TestProject) {
  const state = mkdtempSync(path.join(tmpdir(), "trailbook-e2e-"));
  const credentials = { email: "e2e-owner@example.com", password: "e2e-password-123", projectName: "E2E project" };
  const boot = spawnSync(
    process.execPath,
    [
      "scripts/bootstrap.mjs",
      "--local",
      "--persist-to",
      state,
      "--email",
      credentials.email,
      "--password",
      credentials.password,
      "--project",
      credentials.projectName,
      // Not UTC, so a browser test can tell project time, UTC and the browser's own zone apart.
      "--timezone",
      "Europe/Berlin",
    ],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, CI: "1" } },
  );
  if (boot.status !== 0) throw new Error(`bootstrap failed:\n${boot.stderr}`);
  const created = JSON.parse(boot.stdout.trim().split("\n").at(-1) ?? "{}") as { api_key: string; project_id: string };
  const two = {
    email: "e2e-two@example.com",
    password: "e2e-password-two",
    projects: [] as { id: string; name: string }[],
  };
  for (const name of ["Alpha project", "Beta project"]) {
    const made = spawnSync(
      process.execPath,
      [
        "scripts/bootstrap.mjs",
        "--local",
        "--persist-to",
        state,
        "--email",
        two.email,
        "--password",
        two.password,
        "--project",
        name,
      ],
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, CI: "1" } },
    );
    if (made.status !== 0) throw new Error(`bootstrap failed:\n${made.stderr}`);
    const { project_id } = JSON.parse(made.stdout.trim().split("\n").at(-1) ?? "{}") as { project_id: string };
    two.projects.push({ id: project_id, name });
  }

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
      "--var",
      "ENVIRONMENT:development",
      "--var",
      `SECRETS_KEY:${randomBytes(32).toString("hex")}`,
      // Small, so the browser test sees an export run in the background with a progress bar.
      "--var",
      "EXPORT_DIRECT_MAX_ROWS:20",
      // Log streams deliver within seconds instead of a minute (streams.e2e.ts).
      "--var",
      "FEED_SETTLE_SECONDS:2",
      "--var",
      "STREAM_INTERVAL_SECONDS:1",
    ],
    {
      cwd: ROOT,
      env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${baseUrl}/healthz`, child);
  } catch (error) {
    console.error(output);
    throw error;
  }

  project.provide("baseUrl", baseUrl);
  project.provide("email", credentials.email);
  project.provide("password", credentials.password);
  project.provide("projectName", credentials.projectName);
  project.provide("apiKey", created.api_key);
  project.provide("projectId", created.project_id);
  project.provide("twoEmail", two.email);
  project.provide("twoPassword", two.password);
  project.provide("twoProjects", two.projects);

  return () => {
    if (child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    rmSync(state, { recursive: true, force: true });
  };
}
