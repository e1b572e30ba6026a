import { type Context, Hono } from "hono";
import { getCookie } from "hono/cookie";
import { InviteAccept } from "../../../views/pages/Invite";
import type { AppEnv } from "../../env";
import { AppError, NotFoundError } from "../../lib/errors";
import { SESSION_COOKIE, setSessionCookie } from "../../middleware/session";
import { createSession, findSession } from "../../services/auth/sessions";
import { withActor } from "../../services/context";
import { AcceptInviteInput, acceptInvite, findInvite } from "../../services/members/accept-invite";
import { renderPage } from "./frame";

const GONE = "This invitation is not valid: it was used, declined, revoked or has expired. Ask for a new one.";

async function signedIn(c: Context<AppEnv>) {
  const token = getCookie(c, SESSION_COOKIE);
  return token ? findSession(c.var.ctx, token, "active") : undefined;
}

async function render(c: Context<AppEnv>, token: string, error?: string, status: 200 | 409 | 422 = 200) {
  const found = await findInvite(c.var.ctx, token);
  if (!found) throw new NotFoundError(GONE);
  const me = await signedIn(c);
  return renderPage(
    c,
    InviteAccept,
    {
      token,
      inviteId: found.invite.id,
      email: found.invite.email,
      projectName: found.project.name,
      role: found.invite.role,
      signedInAs: me?.user.email,
      error,
    },
    status,
  );
}

export const invitePages = new Hono<AppEnv>()
  .get("/:token", (c) => render(c, c.req.param("token")))
  .post("/:token", async (c) => {
    const token = c.req.param("token");
    const found = await findInvite(c.var.ctx, token);
    if (!found) throw new NotFoundError(GONE);
    const me = await signedIn(c);
    let newAccount: { name: string; password: string } | undefined;
    if (!me) {
      const parsed = AcceptInviteInput.safeParse(await c.req.parseBody());
      if (!parsed.success)
        return render(
          c,
          token,
          parsed.error.issues.map((i) => `${String(i.path[0] ?? "form").replace(/_/g, " ")}: ${i.message}`).join("; "),
          422,
        );
      newAccount = { name: parsed.data.name, password: parsed.data.password };
    }
    try {
      // The link's page is outside sign-in: a signed-in visitor accepts as themselves.
      const ctx = me ? withActor(c.var.ctx, { kind: "user", user: me.user }) : c.var.ctx;
      const { user } = await acceptInvite(ctx, { invitation: { token }, newAccount });
      if (!me) {
        const session = await createSession(ctx, { userId: user.id, stage: "active" });
        setSessionCookie(c, SESSION_COOKIE, session.token);
      }
      return c.redirect(`/p/${found.project.id}/events`, 303);
    } catch (error) {
      if (error instanceof AppError && error.status === 409) return render(c, token, error.message, 409);
      throw error;
    }
  });
