import type { Tone } from "../../components/Badge";
import type { EventView } from "./model";

/** A value as text: strings as they are, anything else as JSON; `—` for none. */
export function show(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** An event's colour: its HTTP code by class (2xx green, 3xx yellow, 4xx/5xx red), or its status word by meaning. */
export function statusTone(event: Pick<EventView, "status" | "request">): Tone {
  const code = event.request?.status_code;
  if (code !== undefined) return code < 300 ? "ok" : code < 400 ? "warn" : "bad";
  const s = event.status;
  if (!s) return "info";
  if (/^(success|allowed|delivered|complete|sent)$/.test(s)) return "ok";
  if (/^(failure|failed|blocked|bounced|error|rollback)$/.test(s)) return "bad";
  if (/^(pending|processing|transit|retry)$/.test(s)) return "warn";
  return "info";
}

/** A change's `[before, after]` pair; a lone value is an after without a before. */
export function pairOf(pair: unknown): [unknown, unknown] {
  return Array.isArray(pair) ? [pair[0], pair[1]] : [undefined, pair];
}
