import { DataTable } from "../../components/DataTable";
import { type EmailStatsState, type EmailStatsView, TARGETS } from "./model";

// The Emails view's statistics for its range (README "Payments and e-mails"): each figure links to
// the e-mails it counts, so the number and the list it opens agree.

const FIGURES = [
  ["sent", "Sent"],
  ["delivered", "Delivered"],
  ["opened", "Opened"],
  ["bounced", "Bounced"],
  ["blocked", "Blocked"],
  ["pending", "Pending"],
] as const;

const n = (value: number) => value.toLocaleString("en-US");

/**
 * The statistics read every e-mail of the range, so, like the counter, they come after the rows:
 * htmx fetches the fragment on load; without JavaScript the link reloads the page with them.
 */
export function EmailStats({ state }: { state: EmailStatsState }) {
  if ("stats" in state) return <EmailFigures stats={state.stats} />;
  return (
    <section
      class="card email-stats pending"
      id={TARGETS.emailStats}
      aria-label="E-mail statistics"
      hx-get={state.pending.fragment}
      hx-trigger="load"
      hx-swap="outerHTML"
      hx-push-url="false"
    >
      <a href={state.pending.page}>Show e-mail statistics</a>
    </section>
  );
}

function EmailFigures({ stats }: { stats: EmailStatsView }) {
  return (
    <section class="card email-stats" id={TARGETS.emailStats} aria-label="E-mail statistics">
      <dl class="figures">
        {FIGURES.map(([key, label]) => (
          <div data-figure={key}>
            <dt>{label}</dt>
            <dd>{stats.links[key] ? <a href={stats.links[key]}>{n(stats.totals[key])}</a> : n(stats.totals[key])}</dd>
          </div>
        ))}
      </dl>
      {stats.byType.length > 0 && (
        <details open={stats.byType.length <= 6}>
          <summary>By e-mail type</summary>
          <DataTable
            wrap={false}
            rows={stats.byType}
            columns={[
              { header: "E-mail type", cell: (t) => (t.href ? <a href={t.href}>{t.type}</a> : t.type) },
              ...FIGURES.map(([key, label]) => ({
                header: label,
                class: "num",
                cell: (t: (typeof stats.byType)[number]) => n(t[key]),
              })),
            ]}
          />
        </details>
      )}
    </section>
  );
}
