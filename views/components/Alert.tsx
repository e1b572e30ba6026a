import type { Child } from "hono/jsx";

/** A message above a form or page; errors are announced to screen readers. */
export function Alert({ kind, children }: { kind: "error" | "success" | "info"; children: Child }) {
  return (
    <div class={`alert ${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}
