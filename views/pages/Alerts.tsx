import { Badge } from "../components/Badge";
import { DataTable } from "../components/DataTable";
import { BackLink } from "../components/DetailList";
import { Flash } from "../components/Flash";
import { Choice, FormRow, Submit } from "../components/FormRow";
import { ConfirmCard } from "../components/PostButton";
import { utcText } from "../components/time";
import { projectPage } from "../layouts/page";

type Messages = { error?: string | undefined; success?: string | undefined };

export type AlertRuleRow = {
  id: string;
  name: string;
  filter: string;
  condition: string;
  threshold: number;
  windowMinutes: number;
  groupBy: string | null;
  email: boolean;
  webhookUrl: string | null;
  enabled: boolean;
  lastFiredAt: number | null;
};
export type AlertTemplateOption = { id: string; name: string; description: string };
export type EndpointOption = { id: string; url: string };
export type AlertFormValues = {
  template: string;
  name: string;
  filter: string;
  condition: string;
  threshold: string;
  window_minutes: string;
  group_by: string;
  email: boolean;
  webhook_id: string;
  enabled: boolean;
};

const GROUPS: [string, string][] = [
  ["", "the whole project"],
  ["actor", "each actor"],
  ["ip", "each IP address"],
  ["organization", "each organisation"],
];

/** What a rule does, in words: "At least 10 in 10 minutes, per IP address". */
export function conditionText(r: Pick<AlertRuleRow, "condition" | "threshold" | "windowMinutes" | "groupBy">): string {
  const minutes = `${r.windowMinutes} minute${r.windowMinutes === 1 ? "" : "s"}`;
  const base =
    r.condition === "any"
      ? `Any matching event (at most one alert per ${minutes})`
      : `At least ${r.threshold} within ${minutes}`;
  const group = GROUPS.find(([v]) => v === r.groupBy)?.[1];
  return r.groupBy && group ? `${base}, per ${group.replace(/^each /, "")}` : base;
}

function RuleFields(props: { values: AlertFormValues; endpoints: EndpointOption[] }) {
  const v = props.values;
  return (
    <>
      <input type="hidden" name="template" value={v.template} />
      <FormRow label="Name">
        <input name="name" required maxlength={100} value={v.name} />
      </FormRow>
      <FormRow
        label="Filter"
        hint='Search syntax, as in the Events search box: type:payout.* status:rollback, category:auth status:failure, "insufficient funds". Empty matches every event.'
      >
        <input name="filter" maxlength={2000} value={v.filter} class="mono" />
      </FormRow>
      <div class="row">
        <FormRow label="Condition">
          <select name="condition">
            <option value="any" selected={v.condition === "any"}>
              any matching event
            </option>
            <option value="threshold" selected={v.condition === "threshold"}>
              at least N events within the window
            </option>
          </select>
        </FormRow>
        <FormRow label="N (at least)" hint="For “at least N”.">
          <input name="threshold" type="number" min={1} max={1000000} value={v.threshold} />
        </FormRow>
        <FormRow
          label="Window (minutes)"
          hint="At most one alert per window; a threshold counts within it (5 or more)."
        >
          <input name="window_minutes" type="number" min={1} max={1440} required value={v.window_minutes} />
        </FormRow>
        <FormRow label="Count and alert for">
          <select name="group_by">
            {GROUPS.map(([value, label]) => (
              <option value={value} selected={v.group_by === value}>
                {label}
              </option>
            ))}
          </select>
        </FormRow>
      </div>
      <fieldset class="stack">
        <legend>Where alerts go</legend>
        <p class="hint">Every alert is a notification here and an alert.fired event in the log.</p>
        <Choice
          name="email"
          value="1"
          checked={v.email}
          label="Also by e-mail, to the members who chose alert e-mails under Notifications"
        />
        <FormRow label="Webhook endpoint" hint="Receives each alert.fired event, whatever types it subscribed to.">
          <select name="webhook_id">
            <option value="">none</option>
            {props.endpoints.map((e) => (
              <option value={e.id} selected={v.webhook_id === e.id}>
                {e.url}
              </option>
            ))}
          </select>
        </FormRow>
      </fieldset>
      <Choice name="enabled" value="1" checked={v.enabled} label="Enabled" />
    </>
  );
}

export const Alerts = projectPage({
  title: "Alert rules",
  section: "/settings",
  Body: (
    props: Messages & {
      rules: AlertRuleRow[];
      templates: AlertTemplateOption[];
      endpoints: EndpointOption[];
      values: AlertFormValues;
    },
    { project },
  ) => {
    const base = `/p/${project.id}/settings/alerts`;
    return (
      <>
        <BackLink href={`/p/${project.id}/settings`}>Project settings</BackLink>
        <h1>Alert rules</h1>
        <Flash success={props.success} error={props.error} />
        <DataTable
          rows={props.rules}
          empty={{ title: "No alert rules yet.", hint: "Start from a template below, or write your own filter." }}
          columns={[
            { header: "Rule", cell: (r) => <a href={`${base}/${r.id}`}>{r.name}</a> },
            { header: "Filter", class: "mono", cell: (r) => r.filter || "(every event)" },
            { header: "Condition", cell: (r) => conditionText(r) },
            {
              header: "Goes to",
              cell: (r) =>
                ["notification", r.email ? "e-mail" : "", r.webhookUrl ? `webhook ${r.webhookUrl}` : ""]
                  .filter(Boolean)
                  .join(", "),
            },
            { header: "Last alert", cell: (r) => utcText(r.lastFiredAt, { empty: "never" }) },
            { header: "", cell: (r) => (r.enabled ? <Badge tone="ok">enabled</Badge> : <Badge>disabled</Badge>) },
          ]}
        />
        <h2>New rule</h2>
        <form method="get" action={base} class="row" aria-label="Templates">
          <FormRow label="Start from a template">
            <select name="template">
              <option value="">(blank rule)</option>
              {props.templates.map((t) => (
                <option value={t.id} selected={props.values.template === t.id}>
                  {t.name} — {t.description}
                </option>
              ))}
            </select>
          </FormRow>
          <Submit kind="secondary" fit>
            Use template
          </Submit>
        </form>
        <form method="post" action={base} class="card stack">
          <RuleFields values={props.values} endpoints={props.endpoints} />
          <Submit>Add rule</Submit>
        </form>
      </>
    );
  },
});

export const AlertRulePage = projectPage({
  title: (props: { rule: AlertRuleRow }) => `Alert rule ${props.rule.name}`,
  section: "/settings",
  Body: (
    props: Messages & { rule: AlertRuleRow; endpoints: EndpointOption[]; values: AlertFormValues },
    { project },
  ) => {
    const base = `/p/${project.id}/settings/alerts/${props.rule.id}`;
    return (
      <>
        <BackLink href={`/p/${project.id}/settings/alerts`}>All alert rules</BackLink>
        <h1>Alert rule “{props.rule.name}”</h1>
        <Flash success={props.success} error={props.error} />
        <p class="muted">Last alert: {utcText(props.rule.lastFiredAt, { empty: "never" })}</p>
        <form method="post" action={base} class="card stack">
          <RuleFields values={props.values} endpoints={props.endpoints} />
          <Submit>Save rule</Submit>
        </form>
        <p>
          <a class="button danger" href={`${base}/delete`}>
            Delete rule…
          </a>
        </p>
      </>
    );
  },
});

export const DeleteAlertRule = projectPage({
  title: "Delete alert rule",
  section: "/settings",
  Body: (props: { rule: AlertRuleRow }, { project }) => {
    const base = `/p/${project.id}/settings/alerts/${props.rule.id}`;
    return (
      <>
        <BackLink href={base}>{props.rule.name}</BackLink>
        <h1>Delete alert rule “{props.rule.name}”?</h1>
        <ConfirmCard action={`${base}/delete`} confirm="Delete alert rule" cancel={base}>
          No more alerts come from it. Its past alerts stay in the log and under Notifications.
        </ConfirmCard>
      </>
    );
  },
});
