import { type Context, Hono } from "hono";
import { DeleteRole, type RoleFormValues, RolePage, type RoleRow, Roles } from "../../../views/pages/Roles";
import type { ProjectEnv } from "../../env";
import { NotFoundError } from "../../lib/errors";
import { ALL_PERMISSIONS, can, PERMISSION_LABELS } from "../../lib/permissions";
import { requirePermission } from "../../middleware/session";
import { createRole, deleteRole, listRoles, RoleInput, updateRole } from "../../services/members/roles";
import { attempt, formValidator } from "./form";
import { renderPage } from "./frame";

// Settings → Roles (README "Roles"). Post/Redirect/Get: a change redirects with a fixed notice; a
// refused one shows the same page again with the message and what was entered.

type C = Context<ProjectEnv>;

const NOTICES: Record<string, string> = {
  created: "Role created. Give it to members under Members.",
  saved: "Role saved. Its members have the new permissions from their next page.",
  deleted: "Role deleted.",
};

const OPTIONS = ALL_PERMISSIONS.map((name) => ({ name, label: PERMISSION_LABELS[name] }));
const EMPTY: RoleFormValues = { name: "", permissions: ["events.read", "analytics.read"] };

function formValues(form: Record<string, unknown>): RoleFormValues {
  const p = form.permissions;
  const permissions = Array.isArray(p) ? p.map(String) : typeof p === "string" ? [p] : [];
  return { name: typeof form.name === "string" ? form.name : "", permissions };
}

async function rows(c: C): Promise<RoleRow[]> {
  return (await listRoles(c.var.ctx)).map((r) => ({
    id: r.id,
    name: r.name,
    permissions: r.permissions,
    members: r.members,
    invites: r.invites,
  }));
}

async function renderList(c: C, flash: { error?: string; success?: string } = {}, status = 200, values = EMPTY) {
  const notice = NOTICES[c.req.query("done") ?? ""];
  return renderPage(
    c,
    Roles,
    {
      success: flash.success ?? notice,
      error: flash.error,
      roles: await rows(c),
      options: OPTIONS,
      values,
      canManage: can(c.var.access, "roles.manage"),
    },
    status as 200,
  );
}

async function findRow(c: C, id: string): Promise<RoleRow> {
  const role = (await rows(c)).find((r) => r.id === id);
  if (!role) throw new NotFoundError("No role with this id in this project.");
  return role;
}

async function renderRole(c: C, id: string, flash: { error?: string } = {}, status = 200, values?: RoleFormValues) {
  const role = await findRow(c, id);
  return renderPage(
    c,
    RolePage,
    {
      ...flash,
      success: NOTICES[c.req.query("done") ?? ""],
      role,
      options: OPTIONS,
      values: values ?? { name: role.name, permissions: role.permissions },
    },
    status as 200,
  );
}

async function form(c: C): Promise<Record<string, unknown>> {
  return (await c.req.parseBody({ all: true })) as Record<string, unknown>;
}

export const rolePages = new Hono<ProjectEnv>()
  .get("/", requirePermission("members.read"), (c) => renderList(c))
  .post(
    "/",
    requirePermission("roles.manage"),
    formValidator(RoleInput, async (c: C, message) =>
      renderList(c, { error: message }, 422, formValues(await form(c))),
    ),
    async (c) => {
      const outcome = await attempt(() => createRole(c.var.ctx, c.req.valid("form")));
      if (outcome.error) return renderList(c, { error: outcome.error }, outcome.status, formValues(await form(c)));
      return c.redirect(`/p/${c.var.project.id}/settings/roles?done=created`, 303);
    },
  )
  .get("/:roleId", requirePermission("roles.manage"), (c) => renderRole(c, c.req.param("roleId")))
  .post(
    "/:roleId",
    requirePermission("roles.manage"),
    formValidator(RoleInput, async (c: C, message) =>
      renderRole(c, c.req.param("roleId") ?? "", { error: message }, 422, formValues(await form(c))),
    ),
    async (c) => {
      const id = c.req.param("roleId");
      const outcome = await attempt(() => updateRole(c.var.ctx, id, c.req.valid("form")));
      if (outcome.error) return renderRole(c, id, { error: outcome.error }, outcome.status, formValues(await form(c)));
      return c.redirect(`/p/${c.var.project.id}/settings/roles/${id}?done=saved`, 303);
    },
  )
  .get("/:roleId/delete", requirePermission("roles.manage"), async (c) => {
    return renderPage(c, DeleteRole, { role: await findRow(c, c.req.param("roleId")) });
  })
  .post("/:roleId/delete", requirePermission("roles.manage"), async (c) => {
    const id = c.req.param("roleId");
    const outcome = await attempt(() => deleteRole(c.var.ctx, id));
    if (outcome.error) {
      const role = await findRow(c, id);
      return renderPage(c, DeleteRole, { role, error: outcome.error }, outcome.status as 409);
    }
    return c.redirect(`/p/${c.var.project.id}/settings/roles?done=deleted`, 303);
  });
