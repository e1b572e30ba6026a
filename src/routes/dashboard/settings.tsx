import { type Context, Hono } from "hono";
import type { Messages } from "../../../views/components/Flash";
import { ApiKeys, Members, ProjectSettings, type ProjectSettingsValues } from "../../../views/pages/Settings";
import type { ProjectEnv } from "../../env";
import { can } from "../../lib/permissions";
import { requirePermission } from "../../middleware/session";
import { issueApiKey, listApiKeys, NewApiKeyInput, revokeApiKey } from "../../services/keys/manage";
import {
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
import { EntityLinksInput, entityLinksText, updateEntityLinks } from "../../services/projects/entity-links";
import {
  OrganizationNamesInput,
  organizationNamesText,
  updateOrganizationNames,
} from "../../services/projects/organizations";
import { ProjectSettingsInput, updateProjectSettings } from "../../services/projects/update";
import {
  CONFIGURED_ROLES,
  HIDEABLE_VIEWS,
  readViewAccessForm,
  updateViewAccess,
} from "../../services/projects/view-access";
import { redirectWithFlash, takeFlash } from "./flash";
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
    entity_links: entityLinksText(p.entityLinks),
  };
}

const renderSettings = async (c: C, flash: Messages, status: 200 | 422 = 200, values = settingsValues(c)) =>
  renderPage(
    c,
    ProjectSettings,
    {
      ...flash,
      values: { ...values, organization_names: values.organization_names ?? (await organizationNamesText(c.var.ctx)) },
      publishing: can(c.var.access, "integrity.publish")
        ? { url: `${new URL(c.req.url).origin}/public/digests/${c.var.project.id}/` }
        : undefined,
      views: {
        roles: [...CONFIGURED_ROLES],
        views: HIDEABLE_VIEWS.map(({ id, label }) => ({ id, label })),
        hidden: c.var.project.hiddenViews,
      },
    },
    status,
  );

async function renderMembers(c: C, flash: Messages, status: 200 | 422 = 200) {
  const [members, invites, roles] = await Promise.all([
    listMembers(c.var.ctx),
    listOpenInvites(c.var.ctx),
    listRoles(c.var.ctx),
  ]);
  return renderPage(
    c,
    Members,
    {
      ...flash,
      members,
      invites: invites.map((i) => ({ ...i, role: roles.find((r) => r.id === i.roleId)?.name ?? i.role })),
      roles: roles.map((r) => ({ id: r.id, name: r.name })),
      canOwners: can(c.var.access, "members.manage_owners"),
    },
    status,
  );
}

async function renderKeys(c: C, flash: Messages, status: 200 | 422 = 200) {
  const keys = await listApiKeys(c.var.ctx);
  return renderPage(c, ApiKeys, { ...flash, keys }, status);
}

/** After a change: back to the page, with what happened (or why not). */
const done = (c: C, page: string, outcome: { error?: string | undefined }, success: string) =>
  redirectWithFlash(
    c,
    `/p/${c.var.project.id}/settings${page}`,
    outcome.error ? { error: outcome.error } : { success },
  );

export const settingsPages = new Hono<ProjectEnv>()
  .get("/", requirePermission("settings.read"), async (c) => renderSettings(c, await takeFlash(c)))
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
        entity_links: entityLinksText(c.var.project.entityLinks),
      };
      return renderSettings(c, { error: message }, 422, values);
    }),
    async (c) => {
      await updateProjectSettings(c.var.ctx, c.req.valid("form"));
      return done(c, "", {}, "Settings saved.");
    },
  )
  .post(
    "/entity-links",
    requirePermission("settings.update"),
    formValidator(EntityLinksInput, async (c: C, message) => {
      const form = (await c.req.parseBody()) as Record<string, string>;
      return renderSettings(c, { error: message }, 422, { ...settingsValues(c), entity_links: form.links ?? "" });
    }),
    async (c) => {
      await updateEntityLinks(c.var.ctx, c.req.valid("form"));
      return done(c, "", {}, "Entity links saved.");
    },
  )
  .post(
    "/organizations",
    requirePermission("settings.update"),
    formValidator(OrganizationNamesInput, async (c: C, message) => {
      const form = (await c.req.parseBody()) as Record<string, string>;
      return renderSettings(c, { error: message }, 422, { ...settingsValues(c), organization_names: form.names ?? "" });
    }),
    async (c) => {
      await updateOrganizationNames(c.var.ctx, c.req.valid("form"));
      return done(c, "", {}, "Organisation names saved.");
    },
  )
  .post("/views", requirePermission("settings.update"), async (c) => {
    await updateViewAccess(c.var.ctx, readViewAccessForm(await c.req.parseBody()));
    return done(c, "", {}, "Views by role saved.");
  })
  .get("/members", requirePermission("members.read"), async (c) => renderMembers(c, await takeFlash(c)))
  .post(
    "/members",
    requirePermission("members.manage"),
    formValidator(MemberInput, (c: C, message) => renderMembers(c, { error: message }, 422)),
    async (c) => {
      const outcome = await attempt(() => addMember(c.var.ctx, c.req.valid("form")));
      const invited = outcome.value;
      if (!invited) return done(c, "/members", outcome, "");
      return redirectWithFlash(c, `/p/${c.var.project.id}/settings/members`, {
        secret: {
          text: `Invitation for ${invited.email} created. Send them this link; it works once, for 7 days, and is not shown again. They choose their password on it, or, if they already have an account, accept it while signed in:`,
          value: `${new URL(c.req.url).origin}/invite/${invited.token}`,
        },
      });
    },
  )
  .post(
    "/members/:userId",
    requirePermission("members.manage"),
    formValidator(MemberUpdate, (c: C, message) => done(c, "/members", { error: message }, "")),
    async (c) => {
      const outcome = await attempt(() => updateMember(c.var.ctx, c.req.param("userId"), c.req.valid("form")));
      return done(c, "/members", outcome, "Member updated.");
    },
  )
  .post("/members/:userId/remove", requirePermission("members.manage"), async (c) => {
    const outcome = await attempt(() => removeMember(c.var.ctx, c.req.param("userId")));
    return done(c, "/members", outcome, "Member removed.");
  })
  .post("/members/invites/:inviteId/revoke", requirePermission("members.manage"), async (c) => {
    const outcome = await attempt(() => revokeInvite(c.var.ctx, c.req.param("inviteId")));
    return done(c, "/members", outcome, "Invitation revoked.");
  })
  .get("/api-keys", requirePermission("api_keys.manage"), async (c) => renderKeys(c, await takeFlash(c)))
  .post(
    "/api-keys",
    requirePermission("api_keys.manage"),
    formValidator(NewApiKeyInput, (c: C, message) => renderKeys(c, { error: message }, 422)),
    async (c) => {
      const { name, scope, public_key } = c.req.valid("form");
      const { secret } = await issueApiKey(c.var.ctx, { name, scope, public_key });
      return redirectWithFlash(c, `/p/${c.var.project.id}/settings/api-keys`, {
        secret: { text: `Key "${name}" created. Copy it now — it is not shown again:`, value: secret },
      });
    },
  )
  .post("/api-keys/:keyId/revoke", requirePermission("api_keys.manage"), async (c) => {
    const outcome = await attempt(() => revokeApiKey(c.var.ctx, c.req.param("keyId")));
    return done(c, "/api-keys", outcome, "Key revoked.");
  });
