import { type Context, Hono } from "hono";
import { ApiKeys, Members, ProjectSettings, type ProjectSettingsValues } from "../../../views/pages/Settings";
import type { ProjectEnv } from "../../env";
import { can } from "../../lib/permissions";
import { requirePermission } from "../../middleware/session";
import { issueApiKey, listApiKeys, NewApiKeyInput, revokeApiKey } from "../../services/keys/manage";
import {
  type AddMemberResult,
  addMember,
  listMembers,
  listOpenInvites,
  MemberInput,
  MemberUpdate,
  removeMember,
  revokeInvite,
  updateMember,
} from "../../services/members/manage";
import { listRoles } from "../../services/members/roles";
import { ProjectSettingsInput, updateProjectSettings } from "../../services/projects/update";
import { attempt, formValidator } from "./form";
import { renderPage } from "./frame";

type C = Context<ProjectEnv>;

function settingsValues(c: C): ProjectSettingsValues {
  const p = c.var.project;
  return {
    name: p.name,
    timezone: p.timezone,
    retention_days: p.retentionDays,
    redaction_keys: p.redactionKeys.join(", "),
    archive: p.archiveEnabled,
    publish_digests: p.publishDigests,
  };
}

const renderSettings = (
  c: C,
  flash: { error?: string | undefined; success?: string | undefined },
  status: 200 | 422 = 200,
  values = settingsValues(c),
) =>
  renderPage(
    c,
    ProjectSettings,
    {
      ...flash,
      values,
      publishing: can(c.var.access, "integrity.publish")
        ? { url: `${new URL(c.req.url).origin}/public/digests/${c.var.project.id}/` }
        : undefined,
    },
    status,
  );

async function renderMembers(
  c: C,
  flash: { error?: string | undefined; success?: string | undefined },
  status = 200,
  result?: AddMemberResult,
) {
  const [members, invites, roles] = await Promise.all([
    listMembers(c.var.ctx),
    listOpenInvites(c.var.ctx),
    listRoles(c.var.ctx),
  ]);
  const shown = result && { email: result.email, link: `${new URL(c.req.url).origin}/invite/${result.token}` };
  return renderPage(
    c,
    Members,
    {
      ...flash,
      members,
      invites: invites.map((i) => ({ ...i, role: roles.find((r) => r.id === i.roleId)?.name ?? i.role })),
      roles: roles.map((r) => ({ id: r.id, name: r.name })),
      canOwners: can(c.var.access, "members.manage_owners"),
      invited: shown,
    },
    status as 200,
  );
}

async function renderKeys(
  c: C,
  flash: { error?: string | undefined; success?: string | undefined },
  status = 200,
  created?: { name: string; secret: string },
) {
  const keys = await listApiKeys(c.var.ctx);
  return renderPage(c, ApiKeys, { ...flash, keys, created }, status as 200);
}

export const settingsPages = new Hono<ProjectEnv>()
  .get("/", requirePermission("settings.read"), (c) => renderSettings(c, {}))
  .post(
    "/",
    requirePermission("settings.update"),
    formValidator(ProjectSettingsInput, async (c: C, message) => {
      const form = (await c.req.parseBody()) as Record<string, string>;
      const values = {
        name: form.name ?? "",
        timezone: form.timezone ?? "",
        retention_days: form.retention_days ?? "",
        redaction_keys: form.redaction_keys ?? "",
        archive: form.archive === "1",
        publish_digests: form.publish_digests === "1",
      };
      return renderSettings(c, { error: message }, 422, values);
    }),
    async (c) => {
      const updated = await updateProjectSettings(c.var.ctx, c.req.valid("form"));
      c.set("ctx", { ...c.var.ctx, project: updated });
      c.set("project", updated);
      return renderSettings(c, { success: "Settings saved." });
    },
  )
  .get("/members", requirePermission("members.read"), (c) => renderMembers(c, {}))
  .post(
    "/members",
    requirePermission("members.manage"),
    formValidator(MemberInput, (c: C, message) => renderMembers(c, { error: message }, 422)),
    async (c) => {
      let result: AddMemberResult | undefined;
      const outcome = await attempt(async () => {
        result = await addMember(c.var.ctx, c.req.valid("form"));
      });
      return renderMembers(c, { error: outcome.error }, outcome.status, result);
    },
  )
  .post(
    "/members/:userId",
    requirePermission("members.manage"),
    formValidator(MemberUpdate, (c: C, message) => renderMembers(c, { error: message }, 422)),
    async (c) => {
      const outcome = await attempt(() => updateMember(c.var.ctx, c.req.param("userId"), c.req.valid("form")));
      return renderMembers(
        c,
        { error: outcome.error, success: outcome.error ? undefined : "Member updated." },
        outcome.status,
      );
    },
  )
  .post("/members/:userId/remove", requirePermission("members.manage"), async (c) => {
    const outcome = await attempt(() => removeMember(c.var.ctx, c.req.param("userId")));
    return renderMembers(
      c,
      { error: outcome.error, success: outcome.error ? undefined : "Member removed." },
      outcome.status,
    );
  })
  .post("/members/invites/:inviteId/revoke", requirePermission("members.manage"), async (c) => {
    const outcome = await attempt(() => revokeInvite(c.var.ctx, c.req.param("inviteId")));
    return renderMembers(
      c,
      { error: outcome.error, success: outcome.error ? undefined : "Invitation revoked." },
      outcome.status,
    );
  })
  .get("/api-keys", requirePermission("api_keys.manage"), (c) => renderKeys(c, {}))
  .post(
    "/api-keys",
    requirePermission("api_keys.manage"),
    formValidator(NewApiKeyInput, (c: C, message) => renderKeys(c, { error: message }, 422)),
    async (c) => {
      const { name, scope, public_key } = c.req.valid("form");
      const { secret } = await issueApiKey(c.var.ctx, { name, scope, public_key });
      return renderKeys(c, {}, 200, { name, secret });
    },
  )
  .post("/api-keys/:keyId/revoke", requirePermission("api_keys.manage"), async (c) => {
    const outcome = await attempt(async () => {
      await revokeApiKey(c.var.ctx, c.req.param("keyId"));
    });
    return renderKeys(c, { error: outcome.error, success: outcome.error ? undefined : "Key revoked." }, outcome.status);
  });
