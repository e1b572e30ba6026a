import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { open, SealError, seal } from "../../lib/secret-box";

// Post/Redirect/Get: every dashboard change answers with a redirect to a page, so the address bar
// never holds a POST URL and a reload never repeats the change. What the change has to say — and a
// secret shown once (a new API key, a signing secret, an invitation link, recovery codes) — rides
// along in a short-lived cookie sealed with SECRETS_KEY, read once by the page it redirects to and
// then deleted. Secrets never go into a URL, where history and logs would keep them.

const FLASH_COOKIE = "tb_flash";
const PURPOSE = "dashboard-flash";
/** Long enough for the redirect, short enough that a stale message never shows up later. */
const TTL_MS = 2 * 60_000;

/** A secret shown once: what it is, then the value. */
export type OneTime = { text: string; value: string };

export type FlashMessage = {
  success?: string | undefined;
  error?: string | undefined;
  secret?: OneTime | undefined;
  codes?: string[] | undefined;
};

type Sealed = FlashMessage & { to: string; user: string | undefined; at: number };

const userOf = (c: Context) => (c.var as { user?: { id: string } }).user?.id;

/** Redirects (303) to `to`, leaving `flash` for that page to read once. */
export async function redirectWithFlash(c: Context, to: string, flash: FlashMessage): Promise<Response> {
  const path = new URL(to, c.req.url).pathname;
  const value: Sealed = { ...flash, to: path, user: userOf(c), at: Date.now() };
  setCookie(c, FLASH_COOKIE, await seal(c.var.ctx.config.SECRETS_KEY, JSON.stringify(value), PURPOSE), {
    path: "/",
    httpOnly: true,
    secure: true,
    sameSite: "Lax",
    maxAge: TTL_MS / 1000,
  });
  return c.redirect(to, 303);
}

/**
 * What the last change left for this page, read once: the cookie is deleted as it is read. A flash
 * for another page, another user, or older than two minutes is dropped.
 */
export async function takeFlash(c: Context): Promise<FlashMessage> {
  const text = getCookie(c, FLASH_COOKIE);
  if (!text) return {};
  let value: Sealed;
  try {
    value = JSON.parse(await open(c.var.ctx.config.SECRETS_KEY, text, PURPOSE)) as Sealed;
  } catch (error) {
    if (!(error instanceof SealError || error instanceof SyntaxError)) throw error;
    deleteCookie(c, FLASH_COOKIE, { path: "/", secure: true });
    return {};
  }
  if (value.to !== new URL(c.req.url).pathname) return {};
  deleteCookie(c, FLASH_COOKIE, { path: "/", secure: true });
  if (value.user !== userOf(c) || Date.now() - value.at > TTL_MS) return {};
  return { success: value.success, error: value.error, secret: value.secret, codes: value.codes };
}
