import { Flash } from "../components/Flash";
import { FormRow } from "../components/FormRow";
import { page } from "../layouts/page";

export const Login = page({
  title: "Sign in",
  Body: (props: {
    email?: string | undefined;
    error?: string | undefined;
    notice?: string | undefined;
    next?: string | undefined;
  }) => (
    <div class="narrow">
      <h1>Sign in to Trailbook</h1>
      <Flash info={props.notice} error={props.error} />
      <form method="post" action="/login" class="card stack">
        {props.next && <input type="hidden" name="next" value={props.next} />}
        <FormRow label="E-mail">
          <input
            type="email"
            name="email"
            autocomplete="username"
            required
            value={props.email ?? ""}
            autofocus={!props.email}
          />
        </FormRow>
        <FormRow label="Password">
          <input
            type="password"
            name="password"
            autocomplete="current-password"
            required
            autofocus={Boolean(props.email)}
          />
        </FormRow>
        <button type="submit">Sign in</button>
      </form>
      <p>
        <a href="/login/forgot">Forgot your password?</a> · <a href="/docs">API reference</a>
      </p>
    </div>
  ),
});

export const TotpStep = page({
  title: "Authenticator code",
  Body: (props: { error?: string | undefined }) => (
    <div class="narrow">
      <h1>Two-step verification</h1>
      <Flash error={props.error} />
      <form method="post" action="/login/totp" class="card stack">
        <FormRow label="Code from your authenticator app" hint="Or one of your recovery codes (xxxx-xxxx-xxxx).">
          <input name="code" inputmode="numeric" autocomplete="one-time-code" required autofocus maxlength={20} />
        </FormRow>
        <button type="submit">Verify</button>
      </form>
      <p>
        <a href="/login">Start again</a>
      </p>
    </div>
  ),
});
