import { Alert } from "../components/Alert";
import { utcText } from "../components/time";
import { Layout, type LayoutUser } from "../layouts/Layout";

export type ProjectRow = { id: string; name: string; role: string; organizationId: string | null };
export type InvitationRow = {
  id: string;
  projectName: string;
  role: string;
  organizationId: string | null;
  expiresAt: number;
};

function Invitations({ invitations }: { invitations: InvitationRow[] }) {
  return (
    <>
      <h2>Invitations</h2>
      <div class="table-wrap">
        <table class="data">
          <thead>
            <tr>
              <th>Project</th>
              <th>Role</th>
              <th>Expires</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {invitations.map((i) => (
              <tr>
                <td>{i.projectName}</td>
                <td>
                  {i.role}
                  {i.organizationId && <span class="muted"> · {i.organizationId} only</span>}
                </td>
                <td class="muted">{utcText(i.expiresAt)}</td>
                <td>
                  <div class="row">
                    <form method="post" action={`/account/invitations/${i.id}/accept`} class="fit">
                      <button type="submit">Accept</button>
                    </form>
                    <form method="post" action={`/account/invitations/${i.id}/decline`} class="fit">
                      <button type="submit" class="secondary">
                        Decline
                      </button>
                    </form>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function Projects(props: {
  nonce?: string | undefined;
  user: LayoutUser;
  projects: ProjectRow[];
  invitations: InvitationRow[];
  notice?: string | undefined;
}) {
  return (
    <Layout title="Projects" nonce={props.nonce} user={props.user}>
      <h1>Your projects</h1>
      {props.notice && <Alert kind="success">{props.notice}</Alert>}
      {props.invitations.length > 0 && <Invitations invitations={props.invitations} />}
      {props.projects.length === 0 ? (
        <div class="card empty">
          You are not a member of any project yet. Ask a project owner to invite you, or create one with{" "}
          <code>npm run bootstrap</code>.
        </div>
      ) : (
        <div class="table-wrap">
          <table class="data">
            <thead>
              <tr>
                <th>Project</th>
                <th>Your role</th>
              </tr>
            </thead>
            <tbody>
              {props.projects.map((p) => (
                <tr>
                  <td>
                    <a href={`/p/${p.id}/events`}>{p.name}</a>
                  </td>
                  <td>
                    {p.role}
                    {p.organizationId && <span class="muted"> · {p.organizationId} only</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}
