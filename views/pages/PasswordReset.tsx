import { Flash } from "../components/Flash";
import { FormRow } from "../components/FormRow";
import { page } from "../layouts/page";

export const ForgotPassword = page({
  title: "Forgot password",
  Body: (props: { email?: string | undefined; error?: string | undefined; sent?: boolean }) => (
    <div class="narrow">
      <h1>Forgot your password?</h1>
      {props.sent ? (
        <Flash info="If an account uses that address, we sent it a link to choose a new password. The link works once, for 30 minutes." />
      ) : (
        <Flash error={props.error} />
      )}
      <form method="post" action="/login/forgot" class="card stack">
        <FormRow label="E-mail" hint="We send a link to choose a new password to this address.">
          <input type="email" name="email" autocomplete="username" required value={props.email ?? ""} autofocus />
        </FormRow>
        <button type="submit">Send the link</button>
      </form>
      <p>
        <a href="/login">Back to sign-in</a>
      </p>
    </div>
  ),
});

export const ResetPassword = page({
  title: "Choose a new password",
  Body: (props: { token: string; valid: boolean; error?: string | undefined }) => (
    <div class="narrow">
      <h1>Choose a new password</h1>
      {props.valid ? (
        <>
          <Flash error={props.error} />
          <form method="post" action="/login/reset" class="card stack">
            <input type="hidden" name="token" value={props.token} />
            <FormRow label="New password" hint="At least 10 characters. Every session of your account is signed out.">
              <input type="password" name="password" autocomplete="new-password" required minlength={10} autofocus />
            </FormRow>
            <FormRow label="The same again">
              <input type="password" name="password_confirm" autocomplete="new-password" required minlength={10} />
            </FormRow>
            <button type="submit">Set the new password</button>
          </form>
        </>
      ) : (
        <Flash error="This link does not work any more: it was used already, it is older than 30 minutes, or it is incomplete. Ask for a new one." />
      )}
      <p>
        <a href="/login/forgot">Ask for a new link</a> · <a href="/login">Sign in</a>
      </p>
    </div>
  ),
});
