import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { TimeMode } from "../../../views/components/time";

const TIME_COOKIE = "tb_time";
const MODES: readonly TimeMode[] = ["project", "local", "utc"];

const isMode = (value: string | undefined): value is TimeMode => MODES.includes(value as TimeMode);

/**
 * The viewer's time display: the URL's `time` when it has one (remembered in a cookie, like the
 * explorer's columns), else the remembered one, else the project's zone. Every page reads it here,
 * so a choice made on the explorer holds on tasks, exports, settings and the rest.
 */
export function timeModeOf(c: Context): TimeMode {
  const asked = c.req.query("time");
  if (isMode(asked)) {
    if (getCookie(c, TIME_COOKIE) !== asked)
      setCookie(c, TIME_COOKIE, asked, {
        path: "/",
        sameSite: "Lax",
        httpOnly: true,
        secure: true,
        maxAge: 365 * 86400,
      });
    return asked;
  }
  const remembered = getCookie(c, TIME_COOKIE);
  return isMode(remembered) ? remembered : "project";
}

/** The current page with another time display (an explicit `time`, so it also overrides the cookie). */
export function withTimeMode(url: string, mode: TimeMode): string {
  const u = new URL(url);
  u.searchParams.set("time", mode);
  // The explorer's fragments answer at their own URLs; the page they belong to is the list.
  return `${u.pathname}${u.search}`;
}
