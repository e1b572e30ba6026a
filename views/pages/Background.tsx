import { Alert } from "../components/Alert";
import { utcText } from "../components/time";
import { Layout, type LayoutProject, type LayoutUser, type NavItem } from "../layouts/Layout";

// Exports, background tasks and imports (DESIGN §7).

type Frame = { nonce?: string | undefined; user: LayoutUser; project: LayoutProject; nav: NavItem[] };

export type TaskSummary = {
  id: string;
  type: string;
  status: string;
  processed: number;
  total: number | null;
  successCount: number;
  failureCount: number;
  progress: number;
  createdAt: string;
  startedAt: string | null;
  updatedAt: string;
  finishedAt: string | null;
  label: string;
};

const TONE: Record<string, string> = {
  done: "ok",
  failed: "bad",
  in_progress: "warn",
  enqueued: "info",
  running: "warn",
  queued: "info",
  expired: "info",
};

export function TaskStatus({ status }: { status: string }) {
  return <span class={`badge ${TONE[status] ?? "info"}`}>{status.replace("_", " ")}</span>;
}

const when = (iso: string | null) => utcText(iso, { seconds: true });

function duration(task: TaskSummary): string {
  if (!task.startedAt) return "not started";
  const end = task.finishedAt ? Date.parse(task.finishedAt) : Date.parse(task.updatedAt);
  const seconds = Math.max(0, Math.round((end - Date.parse(task.startedAt)) / 1000));
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/**
 * The progress of a running task. While it runs it polls its own fragment every 2 s; the answer
 * for a finished task is HTTP 286, which tells htmx to stop polling.
 */
export function Progress({ task, href }: { task: TaskSummary; href: string }) {
  const running = task.status === "enqueued" || task.status === "in_progress";
  const percent = Math.round(task.progress * 100);
  return (
    <div
      id="task-progress"
      class="card"
      hx-get={running ? href : undefined}
      hx-trigger={running ? "every 2s" : undefined}
      hx-swap="outerHTML"
    >
      <div class="toolbar">
        <TaskStatus status={task.status} />
        <span>
          {task.processed.toLocaleString("en-US")}
          {task.total !== null ? ` of ${task.total.toLocaleString("en-US")}` : ""} rows · {percent}%
        </span>
      </div>
      <progress max={100} value={percent} aria-label="Progress">
        {percent}%
      </progress>
      <p class="muted">
        {task.successCount.toLocaleString("en-US")} succeeded, {task.failureCount.toLocaleString("en-US")} failed ·{" "}
        {duration(task)}
      </p>
    </div>
  );
}

export function ExportConfirm(
  props: Frame & {
    count: number;
    hidden: Record<string, string>;
    description: string[];
    back: string;
    limit: number;
    error?: string | undefined;
  },
) {
  const direct = props.count <= props.limit;
  return (
    <Layout title="Download events" nonce={props.nonce} user={props.user} project={props.project} nav={props.nav}>
      <div class="narrow">
        <h1>Download events</h1>
        {props.error && <Alert kind="error">{props.error}</Alert>}
        <form method="post" action={`/p/${props.project.id}/exports`} class="card stack">
          {Object.entries(props.hidden).map(([name, value]) => (
            <input type="hidden" name={name} value={value} />
          ))}
          <p>
            <strong>{props.count.toLocaleString("en-US")}</strong>{" "}
            {props.count === 1 ? "event matches" : "events match"} the current filters
            {props.description.length ? ":" : "."}
          </p>
          {props.description.length > 0 && (
            <ul>
              {props.description.map((d) => (
                <li>{d}</li>
              ))}
            </ul>
          )}
          <fieldset class="row">
            <legend>Format</legend>
            <label class="fit">
              <span>
                <input type="radio" name="format" value="csv" checked /> CSV
              </span>
            </label>
            <label class="fit">
              <span>
                <input type="radio" name="format" value="jsonl" /> JSON Lines
              </span>
            </label>
            <label class="fit">
              <span>
                <input type="checkbox" name="gzip" value="1" /> gzip
              </span>
            </label>
          </fieldset>
          <p class="hint">
            {direct
              ? "The file downloads right away."
              : `More than ${props.limit.toLocaleString("en-US")} rows: the export runs in the background and appears under Exports when it is ready.`}
          </p>
          <div class="row">
            <button type="submit" class="fit">
              {direct ? "Download" : "Start export"}
            </button>
            <a class="button secondary fit" href={props.back}>
              Cancel
            </a>
          </div>
        </form>
      </div>
    </Layout>
  );
}

export type ExportSummary = {
  id: string;
  status: string;
  format: string;
  gzip: boolean;
  filters: Record<string, string>;
  rowCount: number | null;
  bytes: number | null;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
};

function size(bytes: number | null): string {
  if (bytes === null) return "—";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function filterText(filters: Record<string, string>): string {
  const entries = Object.entries(filters);
  return entries.length ? entries.map(([k, v]) => `${k}: ${v}`).join(" · ") : "no filters";
}

export function ExportsList(props: Frame & { exports: ExportSummary[] }) {
  const base = `/p/${props.project.id}/exports`;
  return (
    <Layout title="Exports" nonce={props.nonce} user={props.user} project={props.project} nav={props.nav}>
      <h1>Exports</h1>
      {props.exports.length === 0 ? (
        <div class="card empty">No exports yet. Use Download on the Events page to export what its filters show.</div>
      ) : (
        <div class="table-wrap">
          <table class="data">
            <thead>
              <tr>
                <th>Created</th>
                <th>By</th>
                <th>Filters</th>
                <th>Format</th>
                <th>Rows</th>
                <th>Size</th>
                <th>Status</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {props.exports.map((e) => (
                <tr>
                  <td class="nowrap">
                    <a href={`${base}/${e.id}`}>{when(e.createdAt)}</a>
                  </td>
                  <td>{e.createdBy}</td>
                  <td>{filterText(e.filters)}</td>
                  <td>
                    {e.format}
                    {e.gzip ? " (gzip)" : ""}
                  </td>
                  <td>{e.rowCount === null ? "—" : e.rowCount.toLocaleString("en-US")}</td>
                  <td>{size(e.bytes)}</td>
                  <td>
                    <TaskStatus status={e.status} />
                  </td>
                  <td>
                    {e.status === "done" && (
                      <a href={`${base}/${e.id}/download`} hx-boost="false">
                        Download
                      </a>
                    )}
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

export function ExportDetail(props: Frame & { export: ExportSummary; task: TaskSummary }) {
  const e = props.export;
  const base = `/p/${props.project.id}`;
  return (
    <Layout title="Export" nonce={props.nonce} user={props.user} project={props.project} nav={props.nav}>
      <p>
        <a href={`${base}/exports`}>← All exports</a>
      </p>
      <h1>
        Export <code>{e.id}</code>
      </h1>
      <Progress task={props.task} href={`${base}/tasks/${props.task.id}/progress?export=1`} />
      <div class="card">
        <dl class="detail-list">
          <dt>Filters</dt>
          <dd>{filterText(e.filters)}</dd>
          <dt>Format</dt>
          <dd>
            {e.format}
            {e.gzip ? " (gzip)" : ""}
          </dd>
          <dt>Requested by</dt>
          <dd>
            {e.createdBy}, {when(e.createdAt)}
          </dd>
          <dt>Available until</dt>
          <dd>{when(e.expiresAt)}</dd>
        </dl>
      </div>
      <DownloadLink base={base} exportId={e.id} status={e.status} />
    </Layout>
  );
}

export function DownloadLink({ base, exportId, status }: { base: string; exportId: string; status: string }) {
  return (
    <p id="download">
      {status === "done" ? (
        <a class="button" href={`${base}/exports/${exportId}/download`} hx-boost="false">
          Download
        </a>
      ) : status === "expired" ? (
        <span class="muted">This export has expired.</span>
      ) : status === "failed" ? (
        <span class="muted">This export failed; see its task for the reason.</span>
      ) : (
        <span class="muted">The download appears here when the export is done.</span>
      )}
    </p>
  );
}

export function TasksList(
  props: Frame & {
    tasks: TaskSummary[];
    typeLinks: { label: string; href: string; active: boolean }[];
    statusLinks: { label: string; href: string; active: boolean }[];
  },
) {
  const base = `/p/${props.project.id}/tasks`;
  return (
    <Layout title="Background tasks" nonce={props.nonce} user={props.user} project={props.project} nav={props.nav}>
      <h1>Background tasks</h1>
      <div class="chips" role="group" aria-label="Type">
        {props.typeLinks.map((l) => (
          <a class="chip" href={l.href} aria-current={l.active ? "true" : undefined}>
            {l.label}
          </a>
        ))}
      </div>
      <div class="chips" role="group" aria-label="Status">
        {props.statusLinks.map((l) => (
          <a class="chip" href={l.href} aria-current={l.active ? "true" : undefined}>
            {l.label}
          </a>
        ))}
      </div>
      {props.tasks.length === 0 ? (
        <div class="card empty">No tasks match. Exports and imports appear here while they run and after.</div>
      ) : (
        <div class="table-wrap">
          <table class="data">
            <thead>
              <tr>
                <th>Created</th>
                <th>Type</th>
                <th>What</th>
                <th>Status</th>
                <th>Progress</th>
                <th>Succeeded</th>
                <th>Failed</th>
              </tr>
            </thead>
            <tbody>
              {props.tasks.map((t) => (
                <tr>
                  <td class="nowrap">
                    <a href={`${base}/${t.id}`}>{when(t.createdAt)}</a>
                  </td>
                  <td>{t.type}</td>
                  <td>{t.label}</td>
                  <td>
                    <TaskStatus status={t.status} />
                  </td>
                  <td>
                    <progress max={100} value={Math.round(t.progress * 100)} aria-label={`${t.label} progress`} />
                  </td>
                  <td>{t.successCount.toLocaleString("en-US")}</td>
                  <td>{t.failureCount.toLocaleString("en-US")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}

export function TaskDetail(
  props: Frame & {
    task: TaskSummary;
    errors: { line?: number | undefined; message: string }[];
    result: Record<string, unknown> | null;
    link?: { label: string; href: string } | undefined;
  },
) {
  const t = props.task;
  const base = `/p/${props.project.id}/tasks`;
  return (
    <Layout title="Task" nonce={props.nonce} user={props.user} project={props.project} nav={props.nav}>
      <p>
        <a href={base}>← All tasks</a>
      </p>
      <h1>
        {t.label} <code>{t.id}</code>
      </h1>
      <Progress task={t} href={`${base}/${t.id}/progress`} />
      <div class="card">
        <dl class="detail-list">
          <dt>Created</dt>
          <dd>{when(t.createdAt)}</dd>
          <dt>Started</dt>
          <dd>{when(t.startedAt)}</dd>
          <dt>Last update</dt>
          <dd>{when(t.updatedAt)}</dd>
          <dt>Finished</dt>
          <dd>{when(t.finishedAt)}</dd>
          <dt>Processing time</dt>
          <dd>{duration(t)}</dd>
          {props.result && (
            <>
              <dt>Result</dt>
              <dd class="mono">{JSON.stringify(props.result)}</dd>
            </>
          )}
        </dl>
        {props.link && (
          <p>
            <a href={props.link.href}>{props.link.label}</a>
          </p>
        )}
      </div>
      <h2>Errors</h2>
      {props.errors.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <div class="table-wrap">
          <table class="data">
            <thead>
              <tr>
                <th>Line</th>
                <th>Reason</th>
              </tr>
            </thead>
            <tbody>
              {props.errors.map((e) => (
                <tr>
                  <td>{e.line ?? "—"}</td>
                  <td>{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}

export function Imports(props: Frame & { tasks: TaskSummary[]; error?: string | undefined; maxMb: number }) {
  const base = `/p/${props.project.id}`;
  return (
    <Layout title="Imports" nonce={props.nonce} user={props.user} project={props.project} nav={props.nav}>
      <h1>Import events</h1>
      {props.error && <Alert kind="error">{props.error}</Alert>}
      <form method="post" action={`${base}/imports`} enctype="multipart/form-data" class="card stack">
        <label>
          File
          <span class="hint">
            CSV with the columns of our CSV export, or JSON Lines of events as the API takes them; up to {props.maxMb}{" "}
            MB here (100 MB through POST /v1/imports). Rows with an id already stored are skipped; invalid rows are
            listed with their line.
          </span>
          <input type="file" name="file" accept=".csv,.jsonl,.ndjson,text/csv,application/x-ndjson" required />
        </label>
        <div>
          <button type="submit">Upload and import</button>
        </div>
      </form>
      <h2>Import history</h2>
      {props.tasks.length === 0 ? (
        <div class="card empty">No imports yet.</div>
      ) : (
        <div class="table-wrap">
          <table class="data">
            <thead>
              <tr>
                <th>Created</th>
                <th>File</th>
                <th>Status</th>
                <th>Succeeded</th>
                <th>Failed</th>
              </tr>
            </thead>
            <tbody>
              {props.tasks.map((t) => (
                <tr>
                  <td class="nowrap">
                    <a href={`${base}/tasks/${t.id}`}>{when(t.createdAt)}</a>
                  </td>
                  <td>{t.label}</td>
                  <td>
                    <TaskStatus status={t.status} />
                  </td>
                  <td>{t.successCount.toLocaleString("en-US")}</td>
                  <td>{t.failureCount.toLocaleString("en-US")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}
