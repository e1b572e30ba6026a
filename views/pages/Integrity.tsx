import { Alert } from "../components/Alert";
import { utcText } from "../components/time";
import { Layout, type LayoutProject, type LayoutUser, type NavItem } from "../layouts/Layout";

type Frame = { nonce?: string | undefined; user: LayoutUser; project: LayoutProject; nav: NavItem[] };
export type DigestRow = { windowStart: string; windowEnd: string; count: number; root: string; hash: string };
export type ReportView = {
  ok: boolean;
  checked: number;
  verified: number;
  pruned: number;
  broken: { window_start: string; window_end: string; reason: string }[];
};
export type ArchiveRow = { day: string; fileKey: string; count: number; bytes: number };

const when = (iso: string) => utcText(iso);

export function Integrity(
  props: Frame & {
    keyId: string | null;
    digests: DigestRow[];
    total: number;
    report?: ReportView | undefined;
    from: string;
    to: string;
    error?: string | undefined;
    archives: ArchiveRow[] | null;
  },
) {
  const base = `/p/${props.project.id}/integrity`;
  return (
    <Layout title="Integrity" nonce={props.nonce} user={props.user} project={props.project} nav={props.nav}>
      <h1>Integrity</h1>
      {props.keyId === null ? (
        <Alert kind="error">
          This deployment has no INTEGRITY_SIGNING_KEY, so no digests are written. See the README.
        </Alert>
      ) : (
        <p class="muted">
          Every hour a digest of the events received in the hour before is signed with the Ed25519 key{" "}
          <code>{props.keyId}</code> (public key at <a href="/v1/integrity/public-key">/v1/integrity/public-key</a>).{" "}
          {props.total.toLocaleString("en-US")} digests so far. Check an export offline with <code>npm run verify</code>
          .
        </p>
      )}
      <form method="get" action={base} class="card row">
        <input type="hidden" name="verify" value="1" />
        <label>
          From <span class="hint">(project time)</span>
          <input type="datetime-local" name="from" value={props.from} step="1" />
        </label>
        <label>
          To
          <input type="datetime-local" name="to" value={props.to} step="1" />
        </label>
        <div class="fit">
          <button type="submit">Verify</button>
        </div>
      </form>
      {props.error && <Alert kind="error">{props.error}</Alert>}
      {props.report &&
        (props.report.ok ? (
          <Alert kind="success">
            All {props.report.checked} windows check out: {props.report.verified} verified, {props.report.pruned} pruned
            by retention (their digests remain, their events are gone).
          </Alert>
        ) : (
          <Alert kind="error">
            {props.report.broken.length} of {props.report.checked} windows do not match. First:{" "}
            {when(props.report.broken[0]?.window_start ?? "")} – {props.report.broken[0]?.reason}
          </Alert>
        ))}
      {props.report && props.report.broken.length > 0 && (
        <div class="table-wrap">
          <table class="data">
            <thead>
              <tr>
                <th>Window</th>
                <th>Problem</th>
              </tr>
            </thead>
            <tbody>
              {props.report.broken.map((b) => (
                <tr>
                  <td class="nowrap">
                    {when(b.window_start)} – {when(b.window_end)}
                  </td>
                  <td>{b.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Latest digests</h2>
      {props.digests.length === 0 ? (
        <div class="card empty">
          No digests yet: the first is written at minute 5 of the hour after the project's first hour.
        </div>
      ) : (
        <div class="table-wrap">
          <table class="data">
            <thead>
              <tr>
                <th>Window</th>
                <th>Events</th>
                <th>Merkle root</th>
                <th>Digest hash</th>
              </tr>
            </thead>
            <tbody>
              {props.digests.map((d) => (
                <tr>
                  <td class="nowrap">{when(d.windowStart)}</td>
                  <td>{d.count.toLocaleString("en-US")}</td>
                  <td class="mono">{d.root.slice(0, 16)}…</td>
                  <td class="mono">{d.hash.slice(0, 16)}…</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {props.archives && (
        <>
          <h2>Archives</h2>
          {props.archives.length === 0 ? (
            <div class="card empty">
              No archives. Turn on "Archive each day" in Settings to keep expired days in R2.
            </div>
          ) : (
            <div class="table-wrap">
              <table class="data">
                <tbody>
                  {props.archives.map((a) => (
                    <tr>
                      <td>{a.day}</td>
                      <td>{a.count.toLocaleString("en-US")} events</td>
                      <td>
                        <a
                          href={`/p/${props.project.id}/archives/download?file=${encodeURIComponent(a.fileKey)}`}
                          hx-boost="false"
                        >
                          Download
                        </a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </Layout>
  );
}
