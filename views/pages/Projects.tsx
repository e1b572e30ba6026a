import { Layout, type LayoutUser } from "../layouts/Layout";

export type ProjectRow = { id: string; name: string; role: string; organizationId: string | null };

export function Projects(props: { nonce?: string | undefined; user: LayoutUser; projects: ProjectRow[] }) {
  return (
    <Layout title="Projects" nonce={props.nonce} user={props.user}>
      <h1>Your projects</h1>
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
