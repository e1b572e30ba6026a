import { Alert } from "../components/Alert";
import { Layout } from "../layouts/Layout";

/**
 * The invitation link's page. Whether the address already has an account is not shown: only the
 * account itself, signed in, gets the join button; everyone else sees both ways in.
 */
export function InviteAccept(props: {
  nonce?: string | undefined;
  token: string;
  inviteId: string;
  email: string;
  projectName: string;
  role: string;
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
        {props.signedInAs === props.email ? (
          <div class="row">
            <form method="post" class="fit">
              <button type="submit">Join {props.projectName}</button>
            </form>
            <form method="post" action={`/account/invitations/${props.inviteId}/decline`} class="fit">
              <button type="submit" class="secondary">
                Decline
              </button>
            </form>
          </div>
        ) : props.signedInAs ? (
          <Alert kind="info">
            You are signed in as {props.signedInAs}. Sign out, then open this link again to join as {props.email}.
          </Alert>
        ) : (
          <>
            <Alert kind="info">
              Already have an account with this address?{" "}
              <a href={`/login?next=${encodeURIComponent(`/invite/${props.token}`)}`}>Sign in as {props.email}</a>, then
              this link lets you join (the invitation also waits for you under Your projects).
            </Alert>
            <h2>New to Trailbook?</h2>
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
          </>
        )}
      </div>
    </Layout>
  );
}
