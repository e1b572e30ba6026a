// npm run shards -- list
// npm run shards -- move <project id> <shard binding>
// npm run shards -- state <shard binding> open|closed|draining
//   [--url https://trailbook.example.com]   (default http://localhost:8787)
//
// The operators' side of the event shards (README "Storage at scale"), through the Worker's own
// operators' API: OPERATOR_TOKEN from the environment, or from .dev.vars for a local deployment.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "./lib/wrangler.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { url: { type: "string", default: "http://localhost:8787" } },
});

function token() {
  if (process.env.OPERATOR_TOKEN) return process.env.OPERATOR_TOKEN;
  const vars = path.join(ROOT, ".dev.vars");
  const local = existsSync(vars) ? /^OPERATOR_TOKEN=(.+)$/m.exec(readFileSync(vars, "utf8"))?.[1] : undefined;
  if (!local) throw new Error("set OPERATOR_TOKEN (the deployment's secret) in the environment");
  return local.trim();
}

async function call(method, pathname, body) {
  const response = await fetch(new URL(pathname, values.url), {
    method,
    headers: { Authorization: `Bearer ${token()}`, ...(body && { "Content-Type": "application/json" }) },
    body: body && JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${response.status} ${answer.detail ?? answer.title ?? response.statusText}`);
  return answer;
}

const gb = (bytes) => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`);

async function main() {
  const [command, a, b] = positionals;
  if (command === "list" || command === undefined) {
    const { data } = await call("GET", "/v1/admin/shards");
    for (const s of data) {
      const flags = [s.full ? "FULL" : s.closing ? "closing" : ""].filter(Boolean).join(" ");
      console.log(
        `${s.binding.padEnd(14)} ${s.region.padEnd(8)} ${s.state.padEnd(9)} ${gb(s.size_bytes).padStart(9)}  ${String(s.projects).padStart(5)} projects  ${flags}`,
      );
    }
    return;
  }
  if (command === "move" && a && b) {
    const task = await call("POST", "/v1/admin/moves", { project_id: a, shard: b });
    console.log(`Moving ${a} to ${b}: task ${task.id} (${task.status}). It runs in the background.`);
    return;
  }
  if (command === "state" && a && b) {
    const shard = await call("PATCH", `/v1/admin/shards/${encodeURIComponent(a)}`, { state: b });
    console.log(`${shard.binding} is ${shard.state}.`);
    return;
  }
  throw new Error("usage: npm run shards -- list | move <project id> <shard> | state <shard> open|closed|draining");
}

main().catch((error) => {
  console.error(`shards: ${error.message}`);
  process.exit(1);
});
