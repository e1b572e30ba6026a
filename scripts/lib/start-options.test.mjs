// Run by npm test (node --test).
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_PORT, migrationSummary, startOptions } from "./start-options.mjs";

test("the port comes from --port, then PORT, then 8787", () => {
  assert.equal(startOptions([], {}).port, DEFAULT_PORT);
  assert.equal(startOptions([], { PORT: "8899" }).port, 8899);
  assert.equal(startOptions([], { PORT: "" }).port, DEFAULT_PORT);
  assert.equal(startOptions(["--port", "9001"], { PORT: "8899" }).port, 9001);
  assert.equal(startOptions(["--port=9002"], {}).port, 9002);
  assert.equal(startOptions(["-p", "9003"], {}).port, 9003);
  assert.equal(startOptions(["--help"], {}).help, true);
});

test("a bad port or argument is an error naming it", () => {
  assert.throws(() => startOptions(["--port"], {}), /--port needs a port number/);
  assert.throws(() => startOptions(["--port", "abc"], {}), /--port must be a port number \(1-65535\), not "abc"/);
  assert.throws(() => startOptions(["--port=0"], {}), /--port must be between 1 and 65535, not 0/);
  assert.throws(() => startOptions(["--port", "70000"], {}), /between 1 and 65535, not 70000/);
  assert.throws(() => startOptions(["--port", "80.5"], {}), /not "80.5"/);
  assert.throws(() => startOptions([], { PORT: "http" }), /PORT must be a port number/);
  assert.throws(() => startOptions(["--verbose"], {}), /unknown argument "--verbose"/);
});

/** wrangler's output: the status table again after each migration. */
function wranglerOutput(names, statuses) {
  const header =
    "Migrations to be applied:\n┌──────┐\n│ name │\n├──────┤\n" +
    names.map((n) => `│ ${n} │\n`).join("") +
    "└──────┘\n";
  const tables = statuses.map(
    (row) =>
      `🚣 3 commands executed successfully.\n┌──────┬────────┐\n│ name │ status │\n├──────┼────────┤\n${names
        .map((n, i) => `│ ${n}   │ ${row[i]}     │\n`)
        .join("├──────┼────────┤\n")}└──────┴────────┘\n`,
  );
  return ` ⛅️ wrangler 4.164.0\n${header}${tables.join("")}`;
}

test("one line per database, counting each migration once", () => {
  const names = ["0000_init.sql", "0001_events.sql", "0002_accounts.sql", "0003_facets.sql"];
  const out = wranglerOutput(names, [
    ["✅", "🕒️", "🕒️", "🕒️"],
    ["✅", "✅", "🕒️", "🕒️"],
    ["✅", "✅", "✅", "🕒️"],
    ["✅", "✅", "✅", "✅"],
  ]);
  assert.equal(migrationSummary("DB", out), "DB: 4 migrations applied (0000_init.sql … 0003_facets.sql)");
  const one = wranglerOutput(["0002_actor_words.sql"], [["✅"]]);
  assert.equal(migrationSummary("EVENTS_1", one), "EVENTS_1: 1 migration applied (0002_actor_words.sql)");
  assert.equal(
    migrationSummary("DB", " ⛅️ wrangler 4.164.0\nResource location: local\n✅ No migrations to apply!\n"),
    "DB: up to date",
  );
});

test("a failed migration is named, after those applied before it", () => {
  const out = wranglerOutput(["0000_ok.sql", "0001_bad.sql"], [["✅", "🕒️"]]);
  assert.equal(migrationSummary("DB", out, false), "DB: 1 migration applied (0000_ok.sql), then 0001_bad.sql failed");
  assert.equal(migrationSummary("DB", "", false), "DB: migrations failed");
});
