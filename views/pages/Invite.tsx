import { Alert } from "../components/Alert";
import { Flash } from "../components/Flash";
import { FormRow } from "../components/FormRow";
import { page } from "../layouts/page";
import { InvitationAnswer } from "./Projects";

export type InviteAcceptProps = {
  token: string;
  inviteId: string;
  email: string;
  projectName: string;
  role: string;
  signedInAs?: string | undefined;
  error?: string | undefined;
};

/**
 * The invitation link's page. Whether the address already has an account is not shown: only the
 * account itself, signed in, gets the join button; everyone else sees both ways in.
 */
export const InviteAccept = page({
  title: "Join project",
  Body: (props: InviteAcceptProps) => (
    <div class="narrow">
      <h1>Join {props.projectName}</h1>
      <p>
        You were invited as <strong>{props.role}</strong> with <strong>{props.email}</strong>.
      </p>
      <Flash error={props.error} />
      {props.signedInAs === props.email ? (
        <InvitationAnswer inviteId={props.inviteId} join={`Join ${props.projectName}`} />
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
            <FormRow label="Your name">
              <input name="name" required maxlength={100} autocomplete="name" />
            </FormRow>
            <FormRow label="Password" hint="At least 10 characters.">
              <input type="password" name="password" minlength={10} required autocomplete="new-password" />
            </FormRow>
            <FormRow label="Password again">
              <input type="password" name="password_confirm" minlength={10} required autocomplete="new-password" />
            </FormRow>
            <button type="submit">Create account and join</button>
          </form>
        </>
      )}
    </div>
  ),
});
