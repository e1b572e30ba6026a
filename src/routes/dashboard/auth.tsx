import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import { z } from "zod";
import { Login, TotpStep } from "../../../views/pages/Login";
import type { AppEnv } from "../../env";
import { clearSessionCookie, PENDING_COOKIE, SESSION_COOKIE, setSessionCookie } from "../../middleware/session";
import { findSession } from "../../services/auth/sessions";
import { completeTotp, signInWithPassword, signOut } from "../../services/auth/sign-in";
import { formValidator } from "./form";
import { renderPage } from "./frame";
import { safeNext } from "./origin";

const LoginForm = z.object({
  email: z.string().trim().min(1, "enter your e-mail address").max(320),
  password: z.string().min(1, "enter your password").max(1000),
  next: z.string().max(2000).optional(),
});
const TotpForm = z.object({ code: z.string().trim().min(1, "enter the code").max(40) });

const INVALID = "Email or password is incorrect.";

function waitText(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  return `Too many failed sign-ins. For your security, try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

export const authPages = new Hono<AppEnv>()
  .get("/login", async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token && (await findSession(c.var.ctx, token, "active"))) return c.redirect("/", 303);
    const notice = c.req.query("signed_out")
      ? "You are signed out."
      : c.req.query("reset")
        ? "Your password was changed and every session signed out. Sign in with the new password."
        : c.req.query("expired")
          ? "The sign-in step expired; please sign in again."
          : undefined;
    return renderPage(c, Login, { notice, next: c.req.query("next") });
  })
  .post(
    "/login",
    formValidator(LoginForm, (c, message) => renderPage(c, Login, { error: message }, 422)),
    async (c) => {
      const form = c.req.valid("form");
      const result = await signInWithPassword(c.var.ctx, { email: form.email, password: form.password });
      switch (result.kind) {
        case "throttled":
          c.header("Retry-After", String(Math.ceil(result.retryAfterMs / 1000)));
          return renderPage(c, Login, { email: form.email, error: waitText(result.retryAfterMs) }, 429);
        case "totp_required":
          setSessionCookie(c, PENDING_COOKIE, result.token);
          return c.redirect("/login/totp", 303);
        case "signed_in":
          setSessionCookie(c, SESSION_COOKIE, result.token);
          return c.redirect(safeNext(form.next), 303);
        default:
          return renderPage(c, Login, { email: form.email, error: INVALID, next: form.next }, 401);
      }
    },
  )
  .get("/login/totp", async (c) => {
    const token = getCookie(c, PENDING_COOKIE);
    if (!token || !(await findSession(c.var.ctx, token, "pending_totp"))) return c.redirect("/login?expired=1", 303);
    return renderPage(c, TotpStep, {});
  })
  .post(
    "/login/totp",
    formValidator(TotpForm, (c, message) => renderPage(c, TotpStep, { error: message }, 422)),
    async (c) => {
      const result = await completeTotp(c.var.ctx, {
        pendingToken: getCookie(c, PENDING_COOKIE) ?? "",
        code: c.req.valid("form").code,
      });
      switch (result.kind) {
        case "signed_in":
          clearSessionCookie(c, PENDING_COOKIE);
          setSessionCookie(c, SESSION_COOKIE, result.token);
          return c.redirect("/", 303);
        case "throttled":
          return renderPage(c, TotpStep, { error: waitText(result.retryAfterMs) }, 429);
        case "invalid":
          return renderPage(
            c,
            TotpStep,
            { error: "That code is not valid. Check your authenticator app's clock, or use a recovery code." },
            401,
          );
        default:
          clearSessionCookie(c, PENDING_COOKIE);
          return c.redirect("/login?expired=1", 303);
      }
    },
  )
  .post("/logout", async (c) => {
    await signOut(c.var.ctx, getCookie(c, SESSION_COOKIE));
    clearSessionCookie(c, SESSION_COOKIE);
    return c.redirect("/login?signed_out=1", 303);
  });
