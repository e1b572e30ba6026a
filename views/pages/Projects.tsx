import { DataTable } from "../components/DataTable";
import { Flash } from "../components/Flash";
import { FormRow, Submit } from "../components/FormRow";
import { PostButton } from "../components/PostButton";
import { At } from "../components/time";
import { page } from "../layouts/page";

export type ProjectRow = { id: string; name: string; role: string; organizationId: string | null };
export type InvitationRow = {
  id: string;
  projectName: string;
  role: string;
  organizationId: string | null;
  expiresAt: number;
};

/** A role, and the one organisation it is limited to. */
function RoleCell({ role, organizationId }: { role: string; organizationId: string | null }) {
  return (
    <>
      {role}
      {organizationId && <span class="muted"> · {organizationId} only</span>}
    </>
  );
}

/**
 * Yes or no to an invitation. On the invitation link's own page the yes is `join` (e.g. "Join
 * Acme"), posted to the link itself.
 */
export function InvitationAnswer({ inviteId, join }: { inviteId: string; join?: string }) {
  return (
    <div class="row">
      <PostButton action={join === undefined ? `/account/invitations/${inviteId}/accept` : undefined} class="fit">
        {join ?? "Accept"}
      </PostButton>
      <PostButton action={`/account/invitations/${inviteId}/decline`} class="fit" kind="secondary">
        Decline
      </PostButton>
    </div>
  );
}

export type ProjectsProps = {
  projects: ProjectRow[];
  invitations: InvitationRow[];
  notice?: string | undefined;
  /** The user runs the deployment: a link to the event shards. */
  operator?: boolean;
  /** The new-project form, for those who may create projects (owners, operators). */
  create?: { values: { name: string; timezone: string; region: string }; error?: string | undefined } | undefined;
};

function NewProject({ values, error }: NonNullable<ProjectsProps["create"]>) {
  return (
    <>
      <h2>New project</h2>
      <Flash error={error} />
      <form method="post" action="/projects" class="card stack">
        <FormRow label="Name">
          <input name="name" required maxlength={100} value={values.name} />
        </FormRow>
        <FormRow
          label="Time zone"
          hint="IANA name, e.g. Europe/Berlin. Dates without an offset in filters are read in it."
        >
          <input name="timezone" required value={values.timezone} />
        </FormRow>
        <FormRow label="Region" hint="Where its events and files are stored; it changes only by moving the project.">
          <select name="region">
            <option value="default" selected={values.region !== "eu"}>
              Default
            </option>
            <option value="eu" selected={values.region === "eu"}>
              EU (EU-jurisdiction databases and bucket)
            </option>
          </select>
        </FormRow>
        <Submit>Create project</Submit>
      </form>
    </>
  );
}

export const Projects = page({
  title: "Projects",
  Body: (props: ProjectsProps, { time }) => (
    <>
      <h1>Your projects</h1>
      <Flash success={props.notice} />
      {props.invitations.length > 0 && (
        <>
          <h2>Invitations</h2>
          <DataTable
            rows={props.invitations}
            columns={[
              { header: "Project", cell: (i) => i.projectName },
              { header: "Role", cell: (i) => <RoleCell role={i.role} organizationId={i.organizationId} /> },
              {
                header: "Expires",
                class: "muted nowrap",
                cell: (i) => (time ? <At at={i.expiresAt} time={time} /> : ""),
              },
              { header: "", cell: (i) => <InvitationAnswer inviteId={i.id} /> },
            ]}
          />
        </>
      )}
      <DataTable
        rows={props.projects}
        empty={{
          title: "You are not a member of any project yet.",
          hint: (
            <>
              Ask a project owner to invite you, or create one with <code>npm run bootstrap</code>.
            </>
          ),
        }}
        columns={[
          { header: "Project", cell: (p) => <a href={`/p/${p.id}/events`}>{p.name}</a> },
          { header: "Your role", cell: (p) => <RoleCell role={p.role} organizationId={p.organizationId} /> },
        ]}
      />
      {props.create && <NewProject {...props.create} />}
      {props.operator && (
        <p class="muted">
          You run this deployment: <a href="/operator/shards">Event shards</a>.
        </p>
      )}
    </>
  ),
});
