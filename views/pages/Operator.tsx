import { Badge } from "../components/Badge";
import { DataTable } from "../components/DataTable";
import { Flash } from "../components/Flash";
import { FormRow, Submit } from "../components/FormRow";
import { At } from "../components/time";
import { page } from "../layouts/page";

export type ShardRow = {
  binding: string;
  region: string;
  state: string;
  sizeBytes: number;
  measuredAt: number | null;
  projects: number;
  closing: boolean;
  full: boolean;
};
export type PlacementRow = { projectId: string; projectName: string; shard: string; targetShard: string | null };

export type ShardsProps = {
  shards: ShardRow[];
  placements: PlacementRow[];
  success?: string | undefined;
  error?: string | undefined;
  form?: { project_id?: string | undefined; shard?: string | undefined };
};

const STATE_TONES: Record<string, "ok" | "warn" | "bad"> = { open: "ok", closed: "warn", draining: "bad" };
const STATES = ["open", "closed", "draining"];

function size(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** The operators' view of the event shards (README "Storage at scale"). */
export const Shards = page({
  title: "Event shards",
  Body: (props: ShardsProps, { time }) => (
    <>
      <h1>Event shards</h1>
      <p class="muted">
        Each project's events live on one shard. New projects go to the open shard of their region with the most room; a
        shard closes to new projects at its size threshold.
      </p>
      <Flash success={props.success} error={props.error} />
      <DataTable
        rows={props.shards}
        empty={{ title: "This deployment binds no event shard.", hint: "Add one (README “Deploy”)." }}
        columns={[
          { header: "Shard", cell: (s) => <code>{s.binding}</code> },
          { header: "Region", cell: (s) => s.region },
          {
            header: "State",
            cell: (s) => (
              <>
                <Badge tone={STATE_TONES[s.state]}>{s.state}</Badge>
                {s.full ? <Badge tone="bad">full</Badge> : s.closing ? <Badge tone="warn">at threshold</Badge> : null}
              </>
            ),
          },
          { header: "Size", cell: (s) => size(s.sizeBytes) },
          {
            header: "Measured",
            class: "muted",
            cell: (s) => (time ? <At at={s.measuredAt} time={time} empty="never" /> : ""),
          },
          { header: "Projects", cell: (s) => String(s.projects) },
          {
            header: "Change state",
            cell: (s) => (
              <form method="post" action={`/operator/shards/${s.binding}`} class="row">
                <select name="state" aria-label={`State of ${s.binding}`}>
                  {STATES.map((state) => (
                    <option value={state} selected={state === s.state}>
                      {state}
                    </option>
                  ))}
                </select>
                <Submit kind="secondary" fit>
                  Set
                </Submit>
              </form>
            ),
          },
        ]}
      />
      <h2>Move a project</h2>
      <form method="post" action="/operator/moves" class="card">
        <div class="row">
          <FormRow label="Project">
            <select name="project_id" required>
              {props.placements.map((p) => (
                <option value={p.projectId} selected={p.projectId === props.form?.project_id}>
                  {p.projectName} ({p.projectId}) on {p.shard}
                  {p.targetShard ? `, moving to ${p.targetShard}` : ""}
                </option>
              ))}
            </select>
          </FormRow>
          <FormRow label="To shard">
            <select name="shard" required>
              {props.shards.map((s) => (
                <option value={s.binding} selected={s.binding === props.form?.shard}>
                  {s.binding} ({s.region})
                </option>
              ))}
            </select>
          </FormRow>
          <Submit fit>Move</Submit>
        </div>
        <p class="hint">
          The events are copied in the background while ingest goes on; writes pause for a moment at the switch. The
          project's owners see the task under Background tasks.
        </p>
      </form>
    </>
  ),
});
