import { Badge } from "../components/Badge";
import { DataTable } from "../components/DataTable";
import { type Messages, PageFlash } from "../components/Flash";
import { Choice, FormRow, Submit } from "../components/FormRow";
import { ConfirmButton, PostButton } from "../components/PostButton";
import { At } from "../components/time";
import { projectPage } from "../layouts/page";

export type ProjectSettingsValues = {
  name: string;
  timezone: string;
  retention_days: number | string;
  redaction_keys: string;
  archive: boolean;
  publish_digests: boolean;
  /** Entity links, one `type URL` per line. */
  entity_links: string;
  /** Organisation display names, one `id name` per line (read when the page is rendered). */
  organization_names?: string | undefined;
};

/** Which views members and viewers see (README "Roles", Views by role). */
export type ViewAccessValues = {
  roles: string[];
  views: { id: string; label: string }[];
  /** Per role, the ids of the views hidden from it. */
  hidden: Record<string, string[]>;
};

function ViewAccess({ action, values }: { action: string; values: ViewAccessValues }) {
  return (
    <form method="post" action={action} class="card stack">
      <p class="hint">
        Owners and admins see every view. Unticked views are hidden from that role: their events are left out of its
        lists, counts, details, charts and exports. Custom roles follow viewers; Configuration follows its permission.
      </p>
      <table class="data">
        <thead>
          <tr>
            <th>View</th>
            {values.roles.map((r) => (
              <th>{r}s see it</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {values.views.map((v) => (
            <tr>
              <td>{v.label}</td>
              {values.roles.map((r) => (
                <td>
                  <input
                    type="checkbox"
                    name={`${r}.${v.id}`}
                    value="1"
                    checked={!(values.hidden[r] ?? []).includes(v.id)}
                    aria-label={`${r}s see ${v.label}`}
                  />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <Submit>Save views</Submit>
    </form>
  );
}

export const ProjectSettings = projectPage({
  title: "Project settings",
  section: "/settings",
  Body: (
    props: Messages & {
      values: ProjectSettingsValues;
      /** Shown to owners only: where the published digests are served. */
      publishing?: { url: string } | undefined;
      views: ViewAccessValues;
    },
    { project },
  ) => {
    const v = props.values;
    return (
      <>
        <h1>Project settings</h1>
        <PageFlash {...props} />
        <nav aria-label="More settings" class="row">
          <a href={`/p/${project.id}/settings/alerts`}>Alert rules</a>
          <a href={`/p/${project.id}/settings/roles`}>Roles</a>
          <a href="/docs">API reference</a>
        </nav>
        <form method="post" class="card stack">
          <FormRow label="Name">
            <input name="name" required maxlength={100} value={v.name} />
          </FormRow>
          <FormRow
            label="Time zone"
            hint="IANA name, e.g. Europe/Berlin. Dates without an offset in filters are read in it."
          >
            <input name="timezone" required value={v.timezone} />
          </FormRow>
          <FormRow label="Retention (days)" hint="Events older than this are deleted by the daily retention run.">
            <input name="retention_days" type="number" min={1} max={3650} required value={String(v.retention_days)} />
          </FormRow>
          <Choice
            name="archive"
            value="1"
            checked={v.archive}
            label="Archive each day to R2 (gzip JSON Lines) before retention deletes it"
          />
          {props.publishing && (
            <>
              <Choice
                name="publish_digests"
                value="1"
                checked={v.publish_digests}
                label="Publish this project's signed digests at a public address (owners only)"
              />
              <p class="hint">
                Anyone may then read the hourly digests and yearly epoch roots, without a key, at{" "}
                <span class="mono">{props.publishing.url}</span> — hashes and counts only, never events.
              </p>
            </>
          )}
          <FormRow
            label="Extra redaction keys"
            hint="Comma or space separated. Values under these keys are stored as [REDACTED], on top of passwords, tokens and the like."
          >
            <textarea name="redaction_keys" rows={2}>
              {v.redaction_keys}
            </textarea>
          </FormRow>
          <Submit>Save settings</Submit>
        </form>
        <h2 id="entity-links">Entity links</h2>
        <form method="post" action={`/p/${project.id}/settings/entity-links`} class="card stack">
          <FormRow
            label="Links per entity or target type"
            hint="One per line: the type, a space, then an http or https URL where {id} stands for the id (URL-encoded), e.g. promoter https://app.example.com/promoters/{id}. Events about such an entity or target link to it under their summary and in their detail."
          >
            <textarea name="links" rows={4} spellcheck={false}>
              {v.entity_links}
            </textarea>
          </FormRow>
          <Submit>Save links</Submit>
        </form>
        <h2 id="organization-names">Organisation names</h2>
        <form method="post" action={`/p/${project.id}/settings/organizations`} class="card stack">
          <FormRow
            label="Display names of organisations"
            hint="One per line: the organisation id, a space, then its name, e.g. org_9 Initech LLC. The explorer shows and finds organisations by these names; events may also name theirs in metadata.organization_name, which a name here overrides."
          >
            <textarea name="names" rows={4} spellcheck={false}>
              {v.organization_names ?? ""}
            </textarea>
          </FormRow>
          <Submit>Save names</Submit>
        </form>
        <h2 id="views-by-role">Views by role</h2>
        <ViewAccess action={`/p/${project.id}/settings/views`} values={props.views} />
      </>
    );
  },
});

export type MemberRow = {
  userId: string;
  email: string;
  name: string;
  role: string;
  organizationId: string | null;
  /** A custom role the member holds: its id is the select's value. */
  roleId?: string | null;
};
/** The project's custom roles, offered after the built-in ones. */
export type RoleOption = { id: string; name: string };
export type InviteRow = { id: string; email: string; role: string; organizationId: string | null; expiresAt: number };

const ROLES = ["owner", "admin", "member", "viewer"] as const;

function RoleSelect({ value, canOwners, custom }: { value: string; canOwners: boolean; custom: RoleOption[] }) {
  return (
    <select name="role" aria-label="Role">
      {ROLES.filter((r) => canOwners || r !== "owner" || value === "owner").map((r) => (
        <option value={r} selected={r === value}>
          {r}
        </option>
      ))}
      {custom.length > 0 && (
        <optgroup label="Custom roles">
          {custom.map((r) => (
            <option value={r.id} selected={r.id === value}>
              {r.name}
            </option>
          ))}
        </optgroup>
      )}
    </select>
  );
}

export type MembersProps = Messages & {
  members: MemberRow[];
  invites: InviteRow[];
  canOwners: boolean;
  roles?: RoleOption[] | undefined;
};

export const Members = projectPage({
  title: "Members",
  section: "/settings/members",
  Body: (props: MembersProps, { project, time }) => {
    const base = `/p/${project.id}/settings/members`;
    return (
      <>
        <h1>Members</h1>
        <PageFlash {...props} />
        <DataTable
          rows={props.members}
          columns={[
            {
              header: "Member",
              cell: (m) => (
                <>
                  {m.name}
                  <div class="muted">{m.email}</div>
                </>
              ),
            },
            {
              header: "Role and scope",
              cell: (m) => (
                <form method="post" action={`${base}/${m.userId}`} class="row">
                  <RoleSelect value={m.roleId ?? m.role} canOwners={props.canOwners} custom={props.roles ?? []} />
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
              ),
            },
            {
              header: "",
              cell: (m) => (
                <ConfirmButton
                  action={`${base}/${m.userId}/remove`}
                  label="Remove"
                  question={`Remove ${m.email} from ${project.name}? They lose access at once.`}
                  confirm="Yes, remove"
                />
              ),
            },
          ]}
        />
        <h2>Invite a member</h2>
        <p class="hint">
          Everyone joins through an invitation link: people without an account choose their own password on it, people
          with one accept it while signed in (it also waits for them under Your projects).
        </p>
        <form method="post" action={base} class="card stack">
          <div class="row">
            <FormRow label="E-mail">
              <input type="email" name="email" required />
            </FormRow>
            <FormRow label="Role">
              <RoleSelect value="member" canOwners={props.canOwners} custom={props.roles ?? []} />
            </FormRow>
            <FormRow label="Organisation" hint="Only for viewers: they will see this organisation's events only.">
              <input name="organization_id" placeholder="e.g. org_9" />
            </FormRow>
          </div>
          <Submit>Create invitation</Submit>
        </form>
        {props.invites.length > 0 && (
          <>
            <h2>Open invitations</h2>
            <DataTable
              rows={props.invites}
              columns={[
                { cell: (i) => i.email },
                { cell: (i) => `${i.role}${i.organizationId ? ` · ${i.organizationId}` : ""}` },
                {
                  class: "muted",
                  cell: (i) => (
                    <>
                      expires <At at={i.expiresAt} time={time} />
                    </>
                  ),
                },
                {
                  cell: (i) => (
                    <PostButton action={`${base}/invites/${i.id}/revoke`} kind="danger">
                      Revoke
                    </PostButton>
                  ),
                },
              ]}
            />
          </>
        )}
      </>
    );
  },
});

export type KeyRow = {
  id: string;
  name: string;
  scope: string;
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  /** The customer's Ed25519 public key, when the key signs its requests. */
  publicKey?: string | null | undefined;
};

export const ApiKeys = projectPage({
  title: "API keys",
  section: "/settings/api-keys",
  Body: (props: Messages & { keys: KeyRow[] }, { project, time }) => {
    const base = `/p/${project.id}/settings/api-keys`;
    return (
      <>
        <h1>API keys</h1>
        <PageFlash {...props} />
        <p class="hint">
          What each key can call: the <a href="/docs">API reference</a>.
        </p>
        <form method="post" action={base} class="card row">
          <FormRow label="Name">
            <input name="name" required maxlength={100} placeholder="e.g. Backend (production)" />
          </FormRow>
          <FormRow label="Scope">
            <select name="scope">
              <option value="ingest">ingest — post events</option>
              <option value="read">read — read everything</option>
              <option value="admin">admin — everything</option>
            </select>
          </FormRow>
          <FormRow
            label="Signing public key (optional)"
            hint="An Ed25519 public key (PEM, or 32 bytes in base64 or hex). Events posted with this key must then carry X-Trailbook-Signature: ed25519=<signature of the body>."
          >
            <textarea name="public_key" rows={2} placeholder="-----BEGIN PUBLIC KEY-----" />
          </FormRow>
          <Submit fit>Create key</Submit>
        </form>
        <DataTable
          rows={props.keys}
          empty={{ title: "No API keys yet.", hint: "Create one above to post events." }}
          columns={[
            { header: "Name", cell: (k) => k.name },
            { header: "Key", class: "mono", cell: (k) => `${k.prefix}…` },
            { header: "Scope", cell: (k) => (k.publicKey ? `${k.scope} · signed` : k.scope) },
            { header: "Created", class: "nowrap", cell: (k) => <At at={k.createdAt} time={time} /> },
            { header: "Last used", class: "nowrap", cell: (k) => <At at={k.lastUsedAt} time={time} empty="never" /> },
            {
              header: "",
              cell: (k) =>
                k.revokedAt ? (
                  <Badge tone="bad">revoked</Badge>
                ) : (
                  <ConfirmButton
                    action={`${base}/${k.id}/revoke`}
                    label="Revoke"
                    question={`Revoke "${k.name}"? Requests with it are refused at once; this cannot be undone.`}
                    confirm="Yes, revoke"
                  />
                ),
            },
          ]}
        />
      </>
    );
  },
});
