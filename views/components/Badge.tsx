import type { Child } from "hono/jsx";

/** A badge's colour: green, red, yellow, or grey for anything neutral. */
export type Tone = "ok" | "bad" | "warn" | "info";

/** A short label in the colour of its meaning; `class` adds to `badge <tone>`. */
export function Badge({ tone, class: extra, children }: { tone?: Tone | undefined; class?: string; children: Child }) {
  return <span class={["badge", tone, extra].filter(Boolean).join(" ")}>{children}</span>;
}

const TASK_TONES: Record<string, Tone> = {
  done: "ok",
  failed: "bad",
  in_progress: "warn",
  enqueued: "info",
  running: "warn",
  queued: "info",
  expired: "info",
};

/** The status of a background task or of the export it makes. */
export function TaskStatus({ status }: { status: string }) {
  return <Badge tone={TASK_TONES[status] ?? "info"}>{status.replace("_", " ")}</Badge>;
}
