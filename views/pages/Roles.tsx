import { DataTable } from "../components/DataTable";
import { BackLink } from "../components/DetailList";
import { Flash } from "../components/Flash";
import { FormRow, Submit } from "../components/FormRow";
import { ConfirmCard } from "../components/PostButton";
import { projectPage } from "../layouts/page";

type Messages = { error?: string | undefined; success?: string | undefined };

export type PermissionOption = { name: string; label: string };
export type RoleRow = { id: string; name: string; permissions: string[]; members: number; invites: number };
export type RoleFormValues = { name: string; permissions: string[] };

function RoleFields(props: { values: RoleFormValues; options: PermissionOption[] }) {
  return (
    <>
      <FormRow label="Name" hint="e.g. Support, Finance, Auditor">
        <input name="name" required maxlength={60} value={props.values.name} />
      </FormRow>
      <fieldset class="stack">
        <legend>Permissions</legend>
        {props.options.map((p) => (
          <label class="fit">
            <span>
              <input
                type="checkbox"
                name="permissions"
                value={p.name}
                checked={props.values.permissions.includes(p.name)}
              />{" "}
              {p.label} <span class="muted mono">{p.name}</span>
            </span>
          </label>
        ))}
      </fieldset>
    </>
  );
}

export const Roles = projectPage({
  title: "Roles",
  section: "/settings",
  Body: (
    props: Messages & {
      roles: RoleRow[];
      options: PermissionOption[];
      values: RoleFormValues;
      canManage: boolean;
    },
    { project },
  ) => {
    const base = `/p/${project.id}/settings/roles`;
    const label = (name: string) => props.options.find((o) => o.name === name)?.label ?? name;
    return (
      <>
        <BackLink href={`/p/${project.id}/settings`}>Project settings</BackLink>
        <h1>Roles</h1>
        <Flash success={props.success} error={props.error} />
        <p class="hint">
          The built-in roles (owner, admin, member, viewer) stay as they are. A custom role is a set of permissions of
          your choosing; give it to a member under Members.
        </p>
        <DataTable
          rows={props.roles}
          empty={{ title: "No custom roles yet.", hint: "Define one below, then give it to members." }}
          columns={[
            { header: "Role", cell: (r) => (props.canManage ? <a href={`${base}/${r.id}`}>{r.name}</a> : r.name) },
            { header: "Permissions", cell: (r) => r.permissions.map(label).join(", ") },
            {
              header: "Given to",
              cell: (r) =>
                `${r.members} member${r.members === 1 ? "" : "s"}${r.invites ? `, ${r.invites} invitation${r.invites === 1 ? "" : "s"}` : ""}`,
            },
          ]}
        />
        {props.canManage && (
          <>
            <h2>New role</h2>
            <form method="post" action={base} class="card stack">
              <RoleFields values={props.values} options={props.options} />
              <Submit>Create role</Submit>
            </form>
          </>
        )}
      </>
    );
  },
});

export const RolePage = projectPage({
  title: (props: { role: RoleRow }) => `Role ${props.role.name}`,
  section: "/settings",
  Body: (props: Messages & { role: RoleRow; options: PermissionOption[]; values: RoleFormValues }, { project }) => {
    const base = `/p/${project.id}/settings/roles`;
    return (
      <>
        <BackLink href={base}>All roles</BackLink>
        <h1>Role “{props.role.name}”</h1>
        <Flash success={props.success} error={props.error} />
        <form method="post" action={`${base}/${props.role.id}`} class="card stack">
          <RoleFields values={props.values} options={props.options} />
          <Submit>Save role</Submit>
        </form>
        <p>
          <a class="button danger" href={`${base}/${props.role.id}/delete`}>
            Delete role…
          </a>
        </p>
      </>
    );
  },
});

export const DeleteRole = projectPage({
  title: "Delete role",
  section: "/settings",
  Body: (props: Messages & { role: RoleRow }, { project }) => {
    const base = `/p/${project.id}/settings/roles/${props.role.id}`;
    const inUse = props.role.members + props.role.invites > 0;
    return (
      <>
        <BackLink href={base}>{props.role.name}</BackLink>
        <h1>Delete role “{props.role.name}”?</h1>
        <Flash error={props.error} />
        <ConfirmCard action={`${base}/delete`} confirm="Delete role" cancel={base}>
          {inUse
            ? `It is given to ${props.role.members} member(s) and ${props.role.invites} open invitation(s): give them another role first, or the deletion is refused.`
            : "Nobody holds this role. Deleting it cannot be undone."}
        </ConfirmCard>
      </>
    );
  },
});
