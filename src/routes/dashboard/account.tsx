import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Messages } from "../../../views/components/Flash";
import { Account, RecoveryCodes, TotpEnrol } from "../../../views/pages/Account";
import type { SignedInEnv } from "../../env";
import { ValidationError } from "../../lib/errors";
import { generateTotpSecret, qrCodeSvg, totpUri } from "../../lib/totp";
import {
  ChangePasswordInput,
  ConfirmTotpInput,
  changePassword,
  confirmTotp,
  DisableTotpInput,
  disableTotp,
  openPendingSecret,
  sealPendingSecret,
} from "../../services/auth/account";
import { listActiveSessions, revokeSession } from "../../services/auth/sessions";
import { acceptInvite, declineInvite } from "../../services/members/accept-invite";
import { redirectWithFlash, takeFlash } from "./flash";
import { attempt, formValidator } from "./form";
import { renderPage } from "./frame";

type C = Context<SignedInEnv>;

/** The secret being enrolled, sealed, kept while the user sets up the app (a reload shows the same QR code). */
const ENROL_COOKIE = "tb_totp_enrol";

async function renderAccount(c: C, flash: Messages = {}) {
  const { user, session, ctx } = c.var;
  const sessions = await listActiveSessions(ctx);
  return renderPage(c, Account, {
    ...flash,
    mustChangePassword: user.mustChangePassword,
    totpEnabled: user.totpSecret !== null,
    sessions: sessions.map((s) => ({ ...s, current: s.id === session.id })),
  });
}

const backToAccount = (c: C, flash: Messages) => redirectWithFlash(c, "/account", flash);

/** The sealed secret being enrolled: the one already shown (form or cookie) while it is valid, else a new one. */
async function pendingEnrolment(c: C, shown: string | undefined): Promise<{ pending: string; secret: string }> {
  for (const pending of [shown, getCookie(c, ENROL_COOKIE)]) {
    if (!pending) continue;
    try {
      return { pending, secret: await openPendingSecret(c.var.ctx, pending) };
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
    }
  }
  const secret = generateTotpSecret();
  const pending = await sealPendingSecret(c.var.ctx, secret);
  setCookie(c, ENROL_COOKIE, pending, {
    path: "/account",
    httpOnly: true,
    secure: true,
    sameSite: "Lax",
    maxAge: 1800,
  });
  return { pending, secret };
}

async function renderEnrol(c: C, shown?: string, error?: string) {
  const { pending, secret } = await pendingEnrolment(c, shown);
  const uri = totpUri({ secret, account: c.var.user.email, issuer: "Trailbook" });
  return renderPage(c, TotpEnrol, { qrSvg: qrCodeSvg(uri), secret, pending, error }, error ? 422 : 200);
}

export const accountPages = new Hono<SignedInEnv>()
  .get("/", async (c) => renderAccount(c, await takeFlash(c)))
  .post(
    "/password",
    formValidator(ChangePasswordInput, (c: C, message) => backToAccount(c, { error: message })),
    async (c) => {
      const result = await attempt(() =>
        changePassword(c.var.ctx, { ...c.req.valid("form"), sessionId: c.var.session.id }),
      );
      return backToAccount(
        c,
        result.error ? { error: result.error } : { success: "Password changed. Your other sessions were signed out." },
      );
    },
  )
  .get("/totp", async (c) => (c.var.user.totpSecret ? c.redirect("/account", 303) : renderEnrol(c)))
  .post(
    "/totp",
    formValidator(ConfirmTotpInput, async (c: C, message) =>
      renderEnrol(c, String((await c.req.parseBody()).pending ?? ""), message),
    ),
    async (c) => {
      const form = c.req.valid("form");
      const result = await attempt(() => confirmTotp(c.var.ctx, form));
      // A mistyped code keeps the secret and QR code the app already has.
      if (!result.value) return renderEnrol(c, form.pending, result.error);
      deleteCookie(c, ENROL_COOKIE, { path: "/account", secure: true });
      return redirectWithFlash(c, "/account/recovery-codes", { codes: result.value });
    },
  )
  .get("/recovery-codes", async (c) => {
    const { codes } = await takeFlash(c);
    return codes ? renderPage(c, RecoveryCodes, { codes }) : c.redirect("/account", 303);
  })
  .post(
    "/totp/disable",
    formValidator(DisableTotpInput, (c: C, message) => backToAccount(c, { error: message })),
    async (c) => {
      const result = await attempt(() => disableTotp(c.var.ctx, c.req.valid("form")));
      return backToAccount(c, result.error ? { error: result.error } : { success: "Two-step verification is off." });
    },
  )
  // Answers to the invitations listed under Your projects (and the link's page).
  .post("/invitations/:inviteId/accept", async (c) => {
    const { project } = await acceptInvite(c.var.ctx, { invitation: { id: c.req.param("inviteId") } });
    return c.redirect(`/p/${project.id}/events`, 303);
  })
  .post("/invitations/:inviteId/decline", async (c) => {
    await declineInvite(c.var.ctx, c.req.param("inviteId"));
    return c.redirect("/projects?declined=1", 303);
  })
  .post("/sessions/:sessionId/revoke", async (c) => {
    const revoked = await revokeSession(c.var.ctx, c.req.param("sessionId"));
    return backToAccount(c, revoked ? { success: "That session was signed out." } : { error: "No such session." });
  });
