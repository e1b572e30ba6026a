import { Alert } from "../components/Alert";
import { Layout } from "../layouts/Layout";

export function InviteAccept(props: {
  nonce?: string | undefined;
  token: string;
  email: string;
  projectName: string;
  role: string;
  hasAccount: boolean;
  signedInAs?: string | undefined;
  error?: string | undefined;
}) {
  return (
    <Layout title="Join project" nonce={props.nonce}>
      <div class="narrow">
        <h1>Join {props.projectName}</h1>
        <p>
          You were invited as <strong>{props.role}</strong> with <strong>{props.email}</strong>.
        </p>
        {props.error && <Alert kind="error">{props.error}</Alert>}
        {props.hasAccount ? (
          props.signedInAs === props.email ? (
            <form method="post" class="card stack">
              <button type="submit">Join {props.projectName}</button>
            </form>
          ) : (
            <Alert kind="info">
              You already have an account.{" "}
              <a href={`/login?next=${encodeURIComponent(`/invite/${props.token}`)}`}>Sign in as {props.email}</a>, then
              this link will let you join.
            </Alert>
          )
        ) : (
          <form method="post" class="card stack">
            <label>
              Your name
              <input name="name" required maxlength={100} autocomplete="name" />
            </label>
            <label>
              Password
              <span class="hint">At least 10 characters.</span>
              <input type="password" name="password" minlength={10} required autocomplete="new-password" />
            </label>
            <label>
              Password again
              <input type="password" name="password_confirm" minlength={10} required autocomplete="new-password" />
            </label>
            <button type="submit">Create account and join</button>
          </form>
        )}
      </div>
    </Layout>
  );
}
