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

/**
 * A change that cannot be undone, asked twice: the first button only opens (a `<details>`, so no
 * script is needed) the question and the button that posts. `children` adds fields to the form,
 * such as a password.
 */
export function ConfirmButton(props: {
  action: string;
  label: string;
  question: Child;
  confirm: string;
  children?: Child;
}) {
  return (
    <details class="confirm">
      <summary class="button danger">{props.label}</summary>
      <form method="post" action={props.action} class="confirm-step">
        <p>{props.question}</p>
        {props.children}
        <button type="submit" class="danger">
          {props.confirm}
        </button>
      </form>
    </details>
  );
}

/** The card of a page that asks before a deletion: what follows, the button that posts, and Cancel. */
export function ConfirmCard(props: { action: string; confirm: string; cancel: string; children: Child }) {
  return (
    <div class="card">
      <p>{props.children}</p>
      <div class="row">
        <PostButton action={props.action} class="fit" kind="danger">
          {props.confirm}
        </PostButton>
        <div class="fit">
          <a class="button secondary" href={props.cancel}>
            Cancel
          </a>
        </div>
      </div>
    </div>
  );
}
