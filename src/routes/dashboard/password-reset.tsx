import { type Context, Hono } from "hono";
import { ForgotPassword, ResetPassword } from "../../../views/pages/PasswordReset";
import type { AppEnv } from "../../env";
import {
  completePasswordReset,
  ForgotInput,
  ResetInput,
  requestPasswordReset,
  resetTokenValid,
} from "../../services/auth/password-reset";
import { formValidator } from "./form";
import { renderPage } from "./frame";

// Forgot password (README "Forgot password"). The request page answers the same for every address;
// the reset link carries its token in the query string, which the page posts back in a hidden
// field, so the token never becomes a path that Trailbook's own events would record.

function waitText(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  return `Too many requests. For your security, try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

export const passwordResetPages = new Hono<AppEnv>()
  .get("/login/forgot", (c) => renderPage(c, ForgotPassword, {}))
  .post(
    "/login/forgot",
    formValidator(ForgotInput, (c, message) => renderPage(c, ForgotPassword, { error: message }, 422)),
    async (c) => {
      const { email } = c.req.valid("form");
      const result = await requestPasswordReset(c.var.ctx, { email, origin: new URL(c.req.url).origin });
      if (result.kind === "throttled") {
        c.header("Retry-After", String(Math.ceil(result.retryAfterMs / 1000)));
        return renderPage(c, ForgotPassword, { email, error: waitText(result.retryAfterMs) }, 429);
      }
      return renderPage(c, ForgotPassword, { email, sent: true });
    },
  )
  .get("/login/reset", async (c) => {
    const token = c.req.query("token") ?? "";
    const valid = await resetTokenValid(c.var.ctx, token);
    return renderPage(c, ResetPassword, { token, valid }, valid ? 200 : 400);
  })
  .post(
    "/login/reset",
    formValidator(ResetInput, async (c: Context<AppEnv>, message) => {
      const form = (await c.req.parseBody()) as Record<string, string>;
      const token = typeof form.token === "string" ? form.token : "";
      const valid = await resetTokenValid(c.var.ctx, token);
      return renderPage(c, ResetPassword, { token, valid, error: message }, 422);
    }),
    async (c) => {
      const { token, password } = c.req.valid("form");
      const user = await completePasswordReset(c.var.ctx, { token, password });
      if (!user) return renderPage(c, ResetPassword, { token, valid: false }, 400);
      return c.redirect("/login?reset=1", 303);
    },
  );
