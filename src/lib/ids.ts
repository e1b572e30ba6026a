import { monotonicFactory } from "ulidx";

// ULIDs are time-ordered, so new rows land at the end of the id indexes (README "Storage"), and the
// monotonic factory keeps ids made in the same millisecond in creation order.
const ulid = monotonicFactory();

export type IdPrefix =
  | "evt"
  | "tsk"
  | "exp"
  | "whe"
  | "whs"
  | "key"
  | "usr"
  | "prj"
  | "req"
  | "ses"
  | "ntf"
  | "inv"
  | "lst"
  | "alr"
  | "rol"
  | "pwr"
  | "vws";

export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  return `${prefix}_${ulid(now).toLowerCase()}`;
}

/** 32 random bytes as base64url: the secret part of API keys, session tokens and the like. */
export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
