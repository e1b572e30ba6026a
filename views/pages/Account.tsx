import { raw } from "hono/html";
import { Alert } from "../components/Alert";
import { utcText } from "../components/time";
import { Layout, type LayoutUser } from "../layouts/Layout";

type Flash = { error?: string | undefined; success?: string | undefined };
export type SessionRow = {
  id: string;
  createdAt: number;
  lastSeenAt: number;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
};

const when = (ms: number) => utcText(ms);

export function Account(
  props: Flash & {
    nonce?: string | undefined;
    user: LayoutUser;
    mustChangePassword: boolean;
    totpEnabled: boolean;
    sessions: SessionRow[];
  },
) {
  return (
    <Layout title="Your account" nonce={props.nonce} user={props.user}>
      <h1>Your account</h1>
      {props.mustChangePassword && (
        <Alert kind="info">
          Your account was created with a one-time password. Choose your own password to continue.
        </Alert>
      )}
      {props.success && <Alert kind="success">{props.success}</Alert>}
      {props.error && <Alert kind="error">{props.error}</Alert>}
      <h2>Password</h2>
      <form method="post" action="/account/password" class="card stack">
        <label>
          Current password
          <input type="password" name="current_password" autocomplete="current-password" required />
        </label>
        <div class="row">
          <label>
            New password
            <span class="hint">At least 10 characters.</span>
            <input type="password" name="password" autocomplete="new-password" minlength={10} required />
          </label>
          <label>
            New password again
            <input type="password" name="password_confirm" autocomplete="new-password" minlength={10} required />
          </label>
        </div>
        <div>
          <button type="submit">Change password</button>
        </div>
      </form>
      <h2>Two-step verification</h2>
      <div class="card">
        {props.totpEnabled ? (
          <form method="post" action="/account/totp/disable" class="stack">
            <p>
              <span class="badge ok">On</span> Signing in asks for a code from your authenticator app.
            </p>
            <label>
              Password, to turn it off
              <input type="password" name="current_password" autocomplete="current-password" required />
            </label>
            <div>
              <button type="submit" class="danger">
                Turn off two-step verification
              </button>
            </div>
          </form>
        ) : (
          <p>
            <span class="badge">Off</span> Protect your account with an authenticator app.{" "}
            <a class="button secondary" href="/account/totp">
              Set up two-step verification
            </a>
          </p>
        )}
      </div>
      <h2>Sessions</h2>
      <div class="table-wrap">
        <table class="data">
          <thead>
            <tr>
              <th>Signed in</th>
              <th>Last active</th>
              <th>From</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {props.sessions.map((s) => (
              <tr>
                <td>{when(s.createdAt)}</td>
                <td>{when(s.lastSeenAt)}</td>
                <td>
                  {s.ip ?? "unknown address"}
                  <div class="muted">{s.userAgent ?? ""}</div>
                </td>
                <td>
                  {s.current ? (
                    <span class="badge ok">this browser</span>
                  ) : (
                    <form method="post" action={`/account/sessions/${s.id}/revoke`}>
                      <button type="submit" class="danger">
                        Sign out
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Layout>
  );
}

/** `qrSvg` is markup our own QR encoder produced from the otpauth URI, not user input. */
export function TotpEnrol(props: {
  nonce?: string | undefined;
  user: LayoutUser;
  qrSvg: string;
  secret: string;
  pending: string;
  error?: string | undefined;
}) {
  return (
    <Layout title="Set up two-step verification" nonce={props.nonce} user={props.user}>
      <h1>Set up two-step verification</h1>
      {props.error && <Alert kind="error">{props.error}</Alert>}
      <div class="card stack">
        <p>
          Scan this code with an authenticator app (1Password, Google Authenticator, Authy…), or type the key by hand.
        </p>
        <div class="qr">{raw(props.qrSvg)}</div>
        <p>
          Key: <code class="secret">{props.secret.replace(/(.{4})/g, "$1 ").trim()}</code>
        </p>
        <form method="post" action="/account/totp" class="stack">
          <input type="hidden" name="pending" value={props.pending} />
          <label>
            Code shown by the app
            <input name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength={10} />
          </label>
          <div>
            <button type="submit">Turn on</button>
          </div>
        </form>
      </div>
    </Layout>
  );
}

export function RecoveryCodes(props: { nonce?: string | undefined; user: LayoutUser; codes: string[] }) {
  return (
    <Layout title="Recovery codes" nonce={props.nonce} user={props.user}>
      <h1>Two-step verification is on</h1>
      <Alert kind="info">
        Save these recovery codes somewhere safe. Each works once if you lose your phone. They are not shown again.
      </Alert>
      <div class="card">
        <ul class="codes">
          {props.codes.map((code) => (
            <li>{code}</li>
          ))}
        </ul>
      </div>
      <a class="button" href="/account">
        Done
      </a>
    </Layout>
  );
}
