import type { D1Migration } from "@cloudflare/vitest-plugin";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      TEST_EVENT_MIGRATIONS: D1Migration[];
      INTEGRITY_SIGNING_KEY: string;
      OPERATOR_TOKEN: string;
    }
    interface GlobalProps {
      // Types `exports.default` from "cloudflare:workers" as our worker entry.
      mainModule: typeof import("../src/index");
    }
  }
}
