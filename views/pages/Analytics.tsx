import { type ChipLink, Chips } from "../components/Chips";
import { type BarItem, HorizontalBars, RateLine, type RatePoint, type Stack, StackedBars } from "../components/charts";
import { DataTable } from "../components/DataTable";
import { At } from "../components/time";
import { projectPage } from "../layouts/page";
import { NoticeText } from "./Notifications";

export type AnalyticsProps = {
  ranges: ChipLink[];
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

export const Analytics = projectPage({
  title: "Analytics",
  section: "/analytics",
  Body: (props: AnalyticsProps) => (
    <>
      <div class="toolbar">
        <h1>Analytics</h1>
        <Chips label="Time range" chips={props.ranges} />
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
    </>
  ),
});

export type SecurityAlert = { id: string; title: string; body: string | null; link: string | null; createdAt: string };

export const Security = projectPage({
  title: "Security",
  section: "/security",
  Body: (props: { alerts: SecurityAlert[]; actors: BarItem[]; addresses: BarItem[] }, { time }) => (
    <>
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
      <DataTable
        rows={props.alerts}
        empty={{ title: "No alerts.", hint: "Rules are checked as events arrive." }}
        columns={[
          { class: "nowrap mono", cell: (a) => <At at={a.createdAt} time={time} /> },
          { cell: (a) => <NoticeText notice={a} /> },
        ]}
      />
    </>
  ),
});
