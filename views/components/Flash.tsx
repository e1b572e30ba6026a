import type { Child } from "hono/jsx";
import { Alert } from "./Alert";

/** What the last action left to say, above the page: information, success (then `children`), errors. */
export function Flash(props: {
  info?: string | undefined;
  success?: string | undefined;
  error?: string | undefined;
  children?: Child;
}) {
  return (
    <>
      {props.info && <Alert kind="info">{props.info}</Alert>}
      {props.success && <Alert kind="success">{props.success}</Alert>}
      {props.children}
      {props.error && <Alert kind="error">{props.error}</Alert>}
    </>
  );
}

/** A secret shown once (an API key, a signing secret, an invitation link), after what it is. */
export function OneTimeSecret({ secret, children }: { secret: string; children: Child }) {
  return (
    <Alert kind="success">
      {children}
      <div class="secret">{secret}</div>
    </Alert>
  );
}
