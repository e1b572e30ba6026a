/** A same-site path to go to after sign-in; anything else (other hosts, `//x`) becomes `/`. */
export function safeNext(value: unknown): string {
  return typeof value === "string" && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) && value.length < 2000 ? value : "/";
}
