import { defineConfig } from "vitest/config";

// Real-browser tests: `wrangler dev` with its own local state, driven by Debian's Chromium through
// playwright-core. Plain Node, not workerd: the browser talks to the Worker over HTTP.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.ts"],
    globalSetup: ["./test/e2e/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
