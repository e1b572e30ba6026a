import { DataTable } from "../components/DataTable";
import { Flash } from "../components/Flash";
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
};

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
      {props.operator && (
        <p class="muted">
          You run this deployment: <a href="/operator/shards">Event shards</a>.
        </p>
      )}
    </>
  ),
});
