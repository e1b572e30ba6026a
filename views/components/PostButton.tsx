import type { Child } from "hono/jsx";

/**
 * A one-button form that posts to `action` (the current URL without one): how the dashboard
 * confirms a change without script. `kind` styles the button, `class` the form.
 */
export function PostButton(props: { action?: string; kind?: "secondary" | "danger"; class?: string; children: Child }) {
  return (
    <form method="post" action={props.action} class={props.class}>
      <button type="submit" class={props.kind}>
        {props.children}
      </button>
    </form>
  );
}
