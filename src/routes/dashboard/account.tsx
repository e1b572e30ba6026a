import { type Context, Hono } from "hono";
import { Account, RecoveryCodes, TotpEnrol } from "../../../views/pages/Account";
import type { SignedInEnv } from "../../env";
import { generateTotpSecret, qrCodeSvg, totpUri } from "../../lib/totp";
import {
  ChangePasswordInput,
  ConfirmTotpInput,
  changePassword,
  confirmTotp,
  DisableTotpInput,
  disableTotp,
  sealPendingSecret,
} from "../../services/auth/account";
import { listActiveSessions, revokeSession } from "../../services/auth/sessions";
import { acceptInvite, declineInvite } from "../../services/members/accept-invite";
import { attempt, formValidator } from "./form";
import { renderPage } from "./frame";

type C = Context<SignedInEnv>;
type Flash = { error?: string | undefined; success?: string | undefined };

async function renderAccount(c: C, flash: Flash = {}, status: 200 | 404 | 422 = 200) {
  const { user, session, ctx } = c.var;
  const sessions = await listActiveSessions(ctx);
  return renderPage(
    c,
    Account,
    {
      ...flash,
      mustChangePassword: user.mustChangePassword,
      totpEnabled: user.totpSecret !== null,
      sessions: sessions.map((s) => ({ ...s, current: s.id === session.id })),
    },
    status,
  );
}

async function renderEnrol(c: C, error?: string) {
  const secret = generateTotpSecret();
  const uri = totpUri({ secret, account: c.var.user.email, issuer: "Trailbook" });
  const pending = await sealPendingSecret(c.var.ctx, secret);
  return renderPage(c, TotpEnrol, { qrSvg: qrCodeSvg(uri), secret, pending, error }, error ? 422 : 200);
}

export const accountPages = new Hono<SignedInEnv>()
  .get("/", (c) => renderAccount(c))
  .post(
    "/password",
    formValidator(ChangePasswordInput, (c: C, message) => renderAccount(c, { error: message }, 422)),
    async (c) => {
      const result = await attempt(() =>
        changePassword(c.var.ctx, { ...c.req.valid("form"), sessionId: c.var.session.id }),
      );
      if (result.error) return renderAccount(c, { error: result.error }, 422);
      c.set("user", { ...c.var.user, mustChangePassword: false });
      return renderAccount(c, { success: "Password changed. Your other sessions were signed out." });
    },
  )
  .get("/totp", async (c) => (c.var.user.totpSecret ? c.redirect("/account", 303) : renderEnrol(c)))
  .post(
    "/totp",
    formValidator(ConfirmTotpInput, (c: C, message) => renderEnrol(c, message)),
    async (c) => {
      const result = await attempt(() => confirmTotp(c.var.ctx, c.req.valid("form")));
      if (!result.value) return renderEnrol(c, result.error);
      return renderPage(c, RecoveryCodes, { codes: result.value });
    },
  )
  .post(
    "/totp/disable",
    formValidator(DisableTotpInput, (c: C, message) => renderAccount(c, { error: message }, 422)),
    async (c) => {
      const result = await attempt(() => disableTotp(c.var.ctx, c.req.valid("form")));
      if (result.error) return renderAccount(c, { error: result.error }, 422);
      c.set("user", { ...c.var.user, totpSecret: null });
      return renderAccount(c, { success: "Two-step verification is off." });
    },
  )
  // Answers to the invitations listed under Your projects (and the link's page).
  .post("/invitations/:inviteId/accept", async (c) => {
    const { project } = await acceptInvite(c.var.ctx, { invitation: { id: c.req.param("inviteId") } });
    return c.redirect(`/p/${project.id}/events`, 303);
  })
  .post("/invitations/:inviteId/decline", async (c) => {
    await declineInvite(c.var.ctx, c.req.param("inviteId"));
    return c.redirect("/?declined=1", 303);
  })
  .post("/sessions/:sessionId/revoke", async (c) => {
    const revoked = await revokeSession(c.var.ctx, c.req.param("sessionId"));
    return revoked
      ? renderAccount(c, { success: "That session was signed out." })
      : renderAccount(c, { error: "No such session." }, 404);
  });
