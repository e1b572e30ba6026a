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

/** What a change left for the page it redirected to (src/routes/dashboard/flash.ts), read once. */
export type Messages = {
  success?: string | undefined;
  error?: string | undefined;
  secret?: { text: string; value: string } | undefined;
};

/** The messages of the last change, with its one-time secret. */
export function PageFlash(props: Messages & { info?: string | undefined }) {
  return (
    <Flash info={props.info} success={props.success} error={props.error}>
      {props.secret && <OneTimeSecret secret={props.secret.value}>{props.secret.text}</OneTimeSecret>}
    </Flash>
  );
}
