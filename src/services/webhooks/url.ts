import { outboundUrlProblem } from "../../lib/outbound-url";

// Webhook URLs follow the outbound URL policy (src/lib/outbound-url.ts): https only,
// and never at private, loopback, link-local or otherwise internal addresses, except in local
// development.

/** Why the URL may not receive webhooks, or undefined when it may. */
export function webhookUrlProblem(raw: string, allowPrivate: boolean): string | undefined {
  return outboundUrlProblem(raw, allowPrivate);
}
