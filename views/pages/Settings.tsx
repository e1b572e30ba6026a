import type { Child } from "hono/jsx";
import { Alert } from "../components/Alert";
import { utcText } from "../components/time";
import { Layout, type LayoutProject, type LayoutUser, type NavItem } from "../layouts/Layout";

type Frame = { nonce?: string | undefined; user: LayoutUser; project: LayoutProject; nav: NavItem[] };
type Flash = { error?: string | undefined; success?: string | undefined };

function Page(props: Frame & Flash & { title: string; children: Child }) {
  return (
    <Layout title={props.title} nonce={props.nonce} user={props.user} project={props.project} nav={props.nav}>
      <h1>{props.title}</h1>
      {props.success && <Alert kind="success">{props.success}</Alert>}
      {props.error && <Alert kind="error">{props.error}</Alert>}
      {props.children}
    </Layout>
  );
}

const when = (ms: number | null) => utcText(ms, { empty: "never" });

export type ProjectSettingsValues = {
  name: string;
  timezone: string;
  retention_days: number | string;
  redaction_keys: string;
  archive: boolean;
};

export function ProjectSettings(props: Frame & Flash & { values: ProjectSettingsValues }) {
  const v = props.values;
  return (
    <Page {...props} title="Project settings">
      <form method="post" class="card stack">
        <label>
          Name
          <input name="name" required maxlength={100} value={v.name} />
        </label>
        <label>
          Time zone
          <span class="hint">IANA name, e.g. Europe/Berlin. Dates without an offset in filters are read in it.</span>
          <input name="timezone" required value={v.timezone} />
        </label>
        <label>
          Retention (days)
          <span class="hint">Events older than this are deleted by the daily retention run.</span>
          <input name="retention_days" type="number" min={1} max={3650} required value={String(v.retention_days)} />
        </label>
        <label class="fit">
          <span>
            <input type="checkbox" name="archive" value="1" checked={v.archive} /> Archive each day to R2 (gzip JSON
            Lines) before retention deletes it
          </span>
        </label>
        <label>
          Extra redaction keys
          <span class="hint">
            Comma or space separated. Values under these keys are stored as [REDACTED], on top of passwords, tokens and
            the like.
          </span>
          <textarea name="redaction_keys" rows={2}>
            {v.redaction_keys}
          </textarea>
        </label>
        <div>
          <button type="submit">Save settings</button>
        </div>
      </form>
    </Page>
  );
}

export type MemberRow = { userId: string; email: string; name: string; role: string; organizationId: string | null };
export type InviteRow = { id: string; email: string; role: string; organizationId: string | null; expiresAt: number };
export type NewInvite = { email: string; link: string };

const ROLES = ["owner", "admin", "member", "viewer"] as const;

function RoleSelect({ value, canOwners }: { value: string; canOwners: boolean }) {
  return (
    <select name="role" aria-label="Role">
      {ROLES.filter((r) => canOwners || r !== "owner" || value === "owner").map((r) => (
        <option value={r} selected={r === value}>
          {r}
        </option>
      ))}
    </select>
  );
}

export function Members(
  props: Frame &
    Flash & {
      members: MemberRow[];
      invites: InviteRow[];
      canOwners: boolean;
      invited?: NewInvite | undefined;
    },
) {
  const base = `/p/${props.project.id}/settings/members`;
  return (
    <Page {...props} title="Members">
      {props.invited && (
        <Alert kind="success">
          Invitation for {props.invited.email} created. Send them this link; it works once, for 7 days, and is not shown
          again. They choose their password on it, or, if they already have an account, accept it while signed in:
          <div class="secret">{props.invited.link}</div>
        </Alert>
      )}
      <div class="table-wrap">
        <table class="data">
          <thead>
            <tr>
              <th>Member</th>
              <th>Role and scope</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {props.members.map((m) => (
              <tr>
                <td>
                  {m.name}
                  <div class="muted">{m.email}</div>
                </td>
                <td>
                  <form method="post" action={`${base}/${m.userId}`} class="row">
                    <RoleSelect value={m.role} canOwners={props.canOwners} />
                    <input
                      name="organization_id"
                      placeholder="Organisation (viewers only)"
                      value={m.organizationId ?? ""}
                      aria-label="Organisation scope"
                    />
                    <button type="submit" class="secondary fit">
                      Save
                    </button>
                  </form>
                </td>
                <td>
                  <form method="post" action={`${base}/${m.userId}/remove`}>
                    <button type="submit" class="danger">
                      Remove
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Invite a member</h2>
      <p class="hint">
        Everyone joins through an invitation link: people without an account choose their own password on it, people
        with one accept it while signed in (it also waits for them under Your projects).
      </p>
      <form method="post" action={base} class="card stack">
        <div class="row">
          <label>
            E-mail
            <input type="email" name="email" required />
          </label>
          <label>
            Role
            <RoleSelect value="member" canOwners={props.canOwners} />
          </label>
          <label>
            Organisation
            <span class="hint">Only for viewers: they will see this organisation's events only.</span>
            <input name="organization_id" placeholder="e.g. org_9" />
          </label>
        </div>
        <div>
          <button type="submit">Create invitation</button>
        </div>
      </form>
      {props.invites.length > 0 && (
        <>
          <h2>Open invitations</h2>
          <div class="table-wrap">
            <table class="data">
              <tbody>
                {props.invites.map((i) => (
                  <tr>
                    <td>{i.email}</td>
                    <td>
                      {i.role}
                      {i.organizationId && ` · ${i.organizationId}`}
                    </td>
                    <td class="muted">expires {when(i.expiresAt)}</td>
                    <td>
                      <form method="post" action={`${base}/invites/${i.id}/revoke`}>
                        <button type="submit" class="danger">
                          Revoke
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Page>
  );
}

export type KeyRow = {
  id: string;
  name: string;
  scope: string;
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
};

export function ApiKeys(
  props: Frame & Flash & { keys: KeyRow[]; created?: { name: string; secret: string } | undefined },
) {
  const base = `/p/${props.project.id}/settings/api-keys`;
  return (
    <Page {...props} title="API keys">
      {props.created && (
        <Alert kind="success">
          Key "{props.created.name}" created. Copy it now — it is not shown again:
          <div class="secret">{props.created.secret}</div>
        </Alert>
      )}
      <form method="post" action={base} class="card row">
        <label>
          Name
          <input name="name" required maxlength={100} placeholder="e.g. Backend (production)" />
        </label>
        <label>
          Scope
          <select name="scope">
            <option value="ingest">ingest — post events</option>
            <option value="read">read — read everything</option>
            <option value="admin">admin — everything</option>
          </select>
        </label>
        <div class="fit">
          <button type="submit">Create key</button>
        </div>
      </form>
      {props.keys.length === 0 ? (
        <div class="card empty">No API keys yet. Create one above to post events.</div>
      ) : (
        <div class="table-wrap">
          <table class="data">
            <thead>
              <tr>
                <th>Name</th>
                <th>Key</th>
                <th>Scope</th>
                <th>Created</th>
                <th>Last used</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {props.keys.map((k) => (
                <tr>
                  <td>{k.name}</td>
                  <td class="mono">{k.prefix}…</td>
                  <td>{k.scope}</td>
                  <td>{when(k.createdAt)}</td>
                  <td>{when(k.lastUsedAt)}</td>
                  <td>
                    {k.revokedAt ? (
                      <span class="badge bad">revoked</span>
                    ) : (
                      <form method="post" action={`${base}/${k.id}/revoke`}>
                        <button type="submit" class="danger">
                          Revoke
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
