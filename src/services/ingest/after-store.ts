import type { ProjectContext } from "../context";
import type { PreparedEvent } from "./prepare";

/**
 * Checks that features built on ingest run over each stored batch (alert rules), after the answer.
 * The Worker's entry registers them, so ingest imports none of the features that record through it.
 */
export type AfterStore = (ctx: ProjectContext, stored: PreparedEvent[]) => Promise<void>;

const hooks: AfterStore[] = [];

export function afterStore(hook: AfterStore): void {
  if (!hooks.includes(hook)) hooks.push(hook);
}

/** Runs every registered check in the background; a failing check is logged, never the batch's failure. */
export function runAfterStore(ctx: ProjectContext, stored: PreparedEvent[]): void {
  for (const hook of hooks)
    ctx.waitUntil(hook(ctx, stored).catch((error: unknown) => console.error("a check after storing failed", error)));
}
