import { defineConfig } from "drizzle-kit";

// drizzle-kit 0.x writes flat migrations/NNNN_name.sql files, which `wrangler d1 migrations apply`
// reads. Hand-written SQL (FTS5, triggers) lives in custom migrations: `drizzle-kit generate --custom`.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema/index.ts",
  out: "./migrations",
  migrations: { prefix: "index" },
  breakpoints: true,
});
