import { Alert } from "../components/Alert";
import { DataTable } from "../components/DataTable";
import { FormRow, Submit } from "../components/FormRow";
import { At, type TimeView } from "../components/time";
import { projectPage } from "../layouts/page";

export type DigestRow = { windowStart: string; windowEnd: string; count: number; root: string; hash: string };
export type ReportView = {
  ok: boolean;
  checked: number;
  verified: number;
  pruned: number;
  broken: { window_start: string; window_end: string; reason: string }[];
};
export type ArchiveRow = { day: string; fileKey: string; count: number; bytes: number };

const counted = (n: number) => n.toLocaleString("en-US");

export type IntegrityProps = {
  keyId: string | null;
  digests: DigestRow[];
  total: number;
  report?: ReportView | undefined;
  from: string;
  to: string;
  error?: string | undefined;
  archives: ArchiveRow[] | null;
};

function Report({ report, time }: { report: ReportView; time: TimeView }) {
  return report.ok ? (
    <Alert kind="success">
      All {report.checked} windows check out: {report.verified} verified, {report.pruned} pruned by retention (their
      digests remain, their events are gone).
    </Alert>
  ) : (
    <Alert kind="error">
      {report.broken.length} of {report.checked} windows do not match. First:{" "}
      <At at={report.broken[0]?.window_start ?? null} time={time} /> – {report.broken[0]?.reason}
    </Alert>
  );
}

export const Integrity = projectPage({
  title: "Integrity",
  section: "/integrity",
  Body: (props: IntegrityProps, { project, time }) => (
    <>
      <h1>Integrity</h1>
      {props.keyId === null ? (
        <Alert kind="error">
          This deployment has no INTEGRITY_SIGNING_KEY, so no digests are written. See the README.
        </Alert>
      ) : (
        <p class="muted">
          Every hour a digest of the events received in the hour before is signed with the Ed25519 key{" "}
          <code>{props.keyId}</code> (public key at <a href="/v1/integrity/public-key">/v1/integrity/public-key</a>).{" "}
          {counted(props.total)} digests so far. Check an export offline with <code>npm run verify</code>.
        </p>
      )}
      <form method="get" action={`/p/${project.id}/integrity`} class="card row">
        <input type="hidden" name="verify" value="1" />
        <FormRow label="From " hint="(project time)">
          <input type="datetime-local" name="from" value={props.from} step="1" />
        </FormRow>
        <FormRow label="To">
          <input type="datetime-local" name="to" value={props.to} step="1" />
        </FormRow>
        <Submit fit>Verify</Submit>
      </form>
      {props.error && <Alert kind="error">{props.error}</Alert>}
      {props.report && <Report report={props.report} time={time} />}
      {props.report && props.report.broken.length > 0 && (
        <DataTable
          rows={props.report.broken}
          columns={[
            {
              header: "Window",
              class: "nowrap",
              cell: (b) => (
                <>
                  <At at={b.window_start} time={time} /> – <At at={b.window_end} time={time} />
                </>
              ),
            },
            { header: "Problem", cell: (b) => b.reason },
          ]}
        />
      )}
      <h2>Latest digests</h2>
      <DataTable
        rows={props.digests}
        empty={{
          title: "No digests yet:",
          hint: "the first is written at minute 5 of the hour after the project's first hour.",
        }}
        columns={[
          { header: "Window", class: "nowrap", cell: (d) => <At at={d.windowStart} time={time} /> },
          { header: "Events", cell: (d) => counted(d.count) },
          { header: "Merkle root", class: "mono", cell: (d) => `${d.root.slice(0, 16)}…` },
          { header: "Digest hash", class: "mono", cell: (d) => `${d.hash.slice(0, 16)}…` },
        ]}
      />
      {props.archives && (
        <>
          <h2>Archives</h2>
          <DataTable
            rows={props.archives}
            empty={{
              title: "No archives.",
              hint: 'Turn on "Archive each day" in Settings to keep expired days in R2.',
            }}
            columns={[
              { cell: (a) => a.day },
              { cell: (a) => `${counted(a.count)} events` },
              {
                cell: (a) => (
                  <a href={`/p/${project.id}/archives/download?file=${encodeURIComponent(a.fileKey)}`} hx-boost="false">
                    Download
                  </a>
                ),
              },
            ]}
          />
        </>
      )}
    </>
  ),
});
