// What `npm start` is told: the port from `--port N` (or `--port=N`), else the PORT environment
// variable, else 8787; and wrangler's migration output turned into one line per database.

export const DEFAULT_PORT = 8787;

/** A TCP port from text, or an Error saying what is wrong with it. */
function portOf(text, from) {
  if (!/^\d{1,5}$/.test(String(text).trim()))
    return new Error(`${from} must be a port number (1-65535), not "${text}"`);
  const port = Number(text);
  if (port < 1 || port > 65535) return new Error(`${from} must be between 1 and 65535, not ${port}`);
  return port;
}

/**
 * The options of `npm start -- [--port N]` with the environment's PORT; `--port` wins. Throws an
 * Error naming the bad argument, so the script can say it and stop before starting anything.
 */
export function startOptions(argv, env = {}) {
  let port;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--port" || arg === "-p") {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a port number`);
      port = portOf(argv[++i], arg);
    } else if (arg.startsWith("--port=")) port = portOf(arg.slice("--port=".length), "--port");
    else if (arg === "--help" || arg === "-h") return { help: true, port: DEFAULT_PORT };
    else throw new Error(`unknown argument "${arg}" (npm start takes --port N, or PORT=N in the environment)`);
    if (port instanceof Error) throw port;
  }
  if (port === undefined && env.PORT !== undefined && env.PORT !== "") {
    port = portOf(env.PORT, "PORT");
    if (port instanceof Error) throw port;
  }
  return { help: false, port: port ?? DEFAULT_PORT };
}

/** The migration files wrangler's last status table of one run marks applied (✅), in order. */
function applied(stdout) {
  const tables = stdout.split(/^┌/m);
  const last = tables.at(-1) ?? "";
  if (!/│ status/.test(last)) return { applied: [], pending: [] };
  const rows = [...last.matchAll(/^│ (\S+\.sql)\s+│ (\S+)/gm)];
  return {
    applied: rows.filter((r) => r[2].startsWith("✅")).map((r) => r[1]),
    pending: rows.filter((r) => !r[2].startsWith("✅")).map((r) => r[1]),
  };
}

const few = (names) => (names.length <= 3 ? names.join(", ") : `${names[0]} … ${names.at(-1)}`);

/**
 * One line for one database: what this run applied (wrangler reprints its whole status table after
 * every migration, so only the last table counts), or that it was up to date.
 */
export function migrationSummary(binding, stdout, ok = true) {
  const { applied: done, pending } = applied(stdout);
  const count = (n) => `${n} migration${n === 1 ? "" : "s"}`;
  if (!ok) {
    const failed = pending[0];
    const before = done.length ? `${count(done.length)} applied (${few(done)}), then ` : "";
    return `${binding}: ${before}${failed ? `${failed} failed` : "migrations failed"}`;
  }
  if (done.length === 0) return `${binding}: up to date`;
  return `${binding}: ${count(done.length)} applied (${few(done)})`;
}
