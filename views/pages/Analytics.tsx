import { type BarItem, HorizontalBars, RateLine, type RatePoint, type Stack, StackedBars } from "../components/charts";
import { utcText } from "../components/time";
import { Layout, type LayoutProject, type LayoutUser, type NavItem } from "../layouts/Layout";

type Frame = { nonce?: string | undefined; user: LayoutUser; project: LayoutProject; nav: NavItem[] };

export type AnalyticsProps = Frame & {
  ranges: { label: string; href: string; active: boolean }[];
  total: number;
  stacks: Stack[];
  categoryKeys: string[];
  categories: BarItem[];
  statuses: BarItem[];
  types: BarItem[];
  actors: BarItem[];
  auth: BarItem[];
  apiErrors: RatePoint[];
};

export function Analytics(props: AnalyticsProps) {
  return (
    <Layout title="Analytics" nonce={props.nonce} user={props.user} project={props.project} nav={props.nav}>
      <div class="toolbar">
        <h1>Analytics</h1>
        <div class="chips" role="group" aria-label="Time range">
          {props.ranges.map((r) => (
            <a class="chip" href={r.href} aria-current={r.active ? "true" : undefined}>
              {r.label}
            </a>
          ))}
        </div>
      </div>
      <p class="counter">
        {props.total.toLocaleString("en-US")} events in this range. Every bar and point opens the matching events.
      </p>
      <StackedBars title="Events over time, by category" stacks={props.stacks} keys={props.categoryKeys} />
      <div class="grid-2">
        <HorizontalBars title="Categories" items={props.categories} />
        <HorizontalBars title="Status" items={props.statuses} />
        <HorizontalBars title="Top event types" items={props.types} />
        <HorizontalBars title="Most active actors" items={props.actors} />
        <HorizontalBars title="Authentication" items={props.auth} />
      </div>
      <RateLine title="API error rate" points={props.apiErrors} />
    </Layout>
  );
}

export type SecurityAlert = { id: string; title: string; body: string | null; link: string | null; createdAt: string };

export function Security(props: Frame & { alerts: SecurityAlert[]; actors: BarItem[]; addresses: BarItem[] }) {
  return (
    <Layout title="Security" nonce={props.nonce} user={props.user} project={props.project} nav={props.nav}>
      <h1>Security</h1>
      <p class="muted">
        Rules: five failed sign-ins for one actor or one address within ten minutes; an export ten times larger than
        usual; API keys created or revoked. They cover Trailbook's own sign-ins and the <code>auth</code> events you
        send.
      </p>
      <div class="grid-2">
        <HorizontalBars title="Failed sign-ins in the last 24 hours, by actor" items={props.actors} unit="failures" />
        <HorizontalBars
          title="Failed sign-ins in the last 24 hours, by address"
          items={props.addresses}
          unit="failures"
        />
      </div>
      <h2>Alerts</h2>
      {props.alerts.length === 0 ? (
        <div class="card empty">No alerts. Rules are checked as events arrive.</div>
      ) : (
        <div class="table-wrap">
          <table class="data">
            <tbody>
              {props.alerts.map((a) => (
                <tr>
                  <td class="nowrap mono">{utcText(a.createdAt)}</td>
                  <td>
                    {a.link ? <a href={a.link}>{a.title}</a> : a.title}
                    {a.body && <div class="muted">{a.body}</div>}
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
