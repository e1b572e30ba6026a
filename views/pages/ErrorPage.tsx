import { Alert } from "../components/Alert";
import { Layout, type LayoutUser } from "../layouts/Layout";

export function ErrorPage(props: {
  status: number;
  title: string;
  message: string;
  requestId?: string | undefined;
  nonce?: string | undefined;
  user?: LayoutUser | undefined;
}) {
  return (
    <Layout title={props.title} nonce={props.nonce} user={props.user}>
      <div class="narrow">
        <h1>{props.title}</h1>
        <Alert kind="error">{props.message}</Alert>
        <p class="muted">
          {props.requestId && (
            <>
              Request id <code>{props.requestId}</code>.{" "}
            </>
          )}
          <a href="/">Back to your projects</a>
        </p>
      </div>
    </Layout>
  );
}

/** What an htmx request gets instead of a blank swap. */
export function ErrorFragment(props: { message: string }) {
  return <Alert kind="error">{props.message}</Alert>;
}
