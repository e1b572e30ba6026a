import { raw } from "hono/html";
import { Alert } from "../components/Alert";
import { Badge } from "../components/Badge";
import { DataTable } from "../components/DataTable";
import { Flash } from "../components/Flash";
import { FormRow, Submit } from "../components/FormRow";
import { ConfirmButton, PostButton } from "../components/PostButton";
import { At } from "../components/time";
import { page } from "../layouts/page";

export type SessionRow = {
  id: string;
  createdAt: number;
  lastSeenAt: number;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
};

/** The current password, asked again before a change that needs it. */
function CurrentPassword({ label }: { label: string }) {
  return (
    <FormRow label={label}>
      <input type="password" name="current_password" autocomplete="current-password" required />
    </FormRow>
  );
}

export type AccountProps = {
  error?: string | undefined;
  success?: string | undefined;
  mustChangePassword: boolean;
  totpEnabled: boolean;
  sessions: SessionRow[];
};

export const Account = page({
  title: "Your account",
  Body: (props: AccountProps, { time }) => (
    <>
      <h1>Your account</h1>
      <Flash
        info={
          props.mustChangePassword
            ? "Your account was created with a one-time password. Choose your own password to continue."
            : undefined
        }
        success={props.success}
        error={props.error}
      />
      <h2>Password</h2>
      <form method="post" action="/account/password" class="card stack">
        <CurrentPassword label="Current password" />
        <div class="row">
          <FormRow label="New password" hint="At least 10 characters.">
            <input type="password" name="password" autocomplete="new-password" minlength={10} required />
          </FormRow>
          <FormRow label="New password again">
            <input type="password" name="password_confirm" autocomplete="new-password" minlength={10} required />
          </FormRow>
        </div>
        <Submit>Change password</Submit>
      </form>
      <h2>Two-step verification</h2>
      <div class="card">
        {props.totpEnabled ? (
          <>
            <p>
              <Badge tone="ok">On</Badge> Signing in asks for a code from your authenticator app.
            </p>
            <ConfirmButton
              action="/account/totp/disable"
              label="Turn off two-step verification…"
              question="Turn off two-step verification? Your password alone will sign you in, and your recovery codes stop working."
              confirm="Turn off two-step verification"
            >
              <CurrentPassword label="Password, to turn it off" />
            </ConfirmButton>
          </>
        ) : (
          <p>
            <Badge>Off</Badge> Protect your account with an authenticator app.{" "}
            <a class="button secondary" href="/account/totp">
              Set up two-step verification
            </a>
          </p>
        )}
      </div>
      <h2>Sessions</h2>
      <DataTable
        rows={props.sessions}
        columns={[
          { header: "Signed in", class: "nowrap", cell: (s) => (time ? <At at={s.createdAt} time={time} /> : "") },
          { header: "Last active", class: "nowrap", cell: (s) => (time ? <At at={s.lastSeenAt} time={time} /> : "") },
          {
            header: "From",
            cell: (s) => (
              <>
                {s.ip ?? "unknown address"}
                <div class="muted">{s.userAgent ?? ""}</div>
              </>
            ),
          },
          {
            header: "",
            cell: (s) =>
              s.current ? (
                <Badge tone="ok">this browser</Badge>
              ) : (
                <PostButton action={`/account/sessions/${s.id}/revoke`} kind="danger">
                  Sign out
                </PostButton>
              ),
          },
        ]}
      />
    </>
  ),
});

/** `qrSvg` is markup our own QR encoder produced from the otpauth URI, not user input. */
export const TotpEnrol = page({
  title: "Set up two-step verification",
  Body: (props: { qrSvg: string; secret: string; pending: string; error?: string | undefined }) => (
    <>
      <h1>Set up two-step verification</h1>
      <Flash error={props.error} />
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
          <FormRow label="Code shown by the app">
            <input name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength={10} />
          </FormRow>
          <Submit>Turn on</Submit>
        </form>
      </div>
    </>
  ),
});

export const RecoveryCodes = page({
  title: "Recovery codes",
  Body: (props: { codes: string[] }) => (
    <>
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
    </>
  ),
});
