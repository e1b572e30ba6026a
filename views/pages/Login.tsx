import { Alert } from "../components/Alert";
import { Layout } from "../layouts/Layout";

export function Login(props: {
  nonce?: string | undefined;
  email?: string;
  error?: string | undefined;
  notice?: string | undefined;
  next?: string | undefined;
}) {
  return (
    <Layout title="Sign in" nonce={props.nonce}>
      <div class="narrow">
        <h1>Sign in to Trailbook</h1>
        {props.notice && <Alert kind="info">{props.notice}</Alert>}
        {props.error && <Alert kind="error">{props.error}</Alert>}
        <form method="post" action="/login" class="card stack">
          {props.next && <input type="hidden" name="next" value={props.next} />}
          <label>
            E-mail
            <input
              type="email"
              name="email"
              autocomplete="username"
              required
              value={props.email ?? ""}
              autofocus={!props.email}
            />
          </label>
          <label>
            Password
            <input
              type="password"
              name="password"
              autocomplete="current-password"
              required
              autofocus={Boolean(props.email)}
            />
          </label>
          <button type="submit">Sign in</button>
        </form>
      </div>
    </Layout>
  );
}

export function TotpStep(props: { nonce?: string | undefined; error?: string | undefined }) {
  return (
    <Layout title="Authenticator code" nonce={props.nonce}>
      <div class="narrow">
        <h1>Two-step verification</h1>
        {props.error && <Alert kind="error">{props.error}</Alert>}
        <form method="post" action="/login/totp" class="card stack">
          <label>
            Code from your authenticator app
            <span class="hint">Or one of your recovery codes (xxxx-xxxx-xxxx).</span>
            <input name="code" inputmode="numeric" autocomplete="one-time-code" required autofocus maxlength={20} />
          </label>
          <button type="submit">Verify</button>
        </form>
        <p>
          <a href="/login">Start again</a>
        </p>
      </div>
    </Layout>
  );
}
