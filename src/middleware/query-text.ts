import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ValidationError } from "../lib/errors";
import { escapeText, textProblem } from "../lib/validation";

/**
 * Refuses a query string whose parameter names or values hold text nothing downstream can take
 * (a NUL from `%00`; README "Events"), on every route, with a 422 naming the parameter: FTS5 and
 * SQLite's text functions stop at a NUL, so a search would otherwise fail or match something else.
 */
export const refuseUnstorableQuery = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.url.includes("?")) {
    for (const [name, values] of Object.entries(c.req.queries())) {
      const nameProblem = textProblem(name);
      const problem = nameProblem ?? values.map(textProblem).find(Boolean);
      if (problem) {
        const path = nameProblem ? "(query)" : escapeText(name);
        const message = nameProblem ? `a parameter name ${problem}` : problem;
        throw new ValidationError(`${path}: ${message}`, [{ path, message }]);
      }
    }
  }
  await next();
});
