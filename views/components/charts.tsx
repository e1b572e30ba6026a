import type { Tone } from "./Badge";
import { type Column, DataTable } from "./DataTable";

// Server-rendered SVG charts: readable without script, each with its numbers as a table and each
// mark a link to the explorer filtered to what it shows. Every mark has a tooltip (<title>) with
// its exact number; axes name their values; text is at least 12 px at the chart's narrowest.

export const CATEGORY_COLORS: Record<string, string> = {
  activity: "#2f5bea",
  configuration: "#7c3aed",
  auth: "#0891b2",
  api_request: "#16a34a",
  integration: "#ca8a04",
  payment: "#ea580c",
  email: "#db2777",
  fraud: "#dc2626",
};
/** The status badges' colours (views/styles.ts), so a status looks the same in a chart and a table. */
export const TONE_COLORS: Record<Tone, string> = { ok: "#1d7f46", bad: "#c62f2f", warn: "#a26200", info: "#6b7280" };
const colorOf = (key: string) => CATEGORY_COLORS[key] ?? "#6b7280";
const counted = (n: number) => n.toLocaleString("en-US");

/** 1, 2 or 5 times a power of ten, at least `max`: the top of a value axis. */
function niceMax(max: number): number {
  if (max <= 5) return Math.max(1, Math.ceil(max));
  const power = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 5, 10].find((s) => s * power >= max) ?? 10;
  return step * power;
}

/** A chart's numbers, folded under it: a row per mark, first its label linking where the mark does. */
function Numbers<R extends { label: string; href: string }>(props: { head?: string; rows: R[]; columns: Column<R>[] }) {
  const link: Column<R> = { header: props.head, cell: (r) => <a href={r.href}>{r.label}</a> };
  return (
    <details>
      <summary>Numbers</summary>
      <DataTable wrap={false} rows={props.rows} columns={[link, ...props.columns]} />
    </details>
  );
}

// The plot area of the time charts inside their viewBox: room on the left for the value axis and
// below for the time axis.
const W = 720;
const LEFT = 52;
const TOP = 10;
const BOTTOM = 26;

/** The value axis: lines across the plot at 0, ½ and the top, each labelled. */
function ValueAxis({ top, height, format }: { top: number; height: number; format: (v: number) => string }) {
  return (
    <g>
      {[0, 0.5, 1].map((f) => {
        const y = TOP + height - f * height;
        return (
          <>
            <line class="grid" x1={LEFT} x2={W} y1={y} y2={y} />
            <text x={LEFT - 6} y={y + 4} text-anchor="end" class="axis">
              {format(f * top)}
            </text>
          </>
        );
      })}
    </g>
  );
}

/** The time axis: about six labels, spread over the buckets. */
function TimeAxis({ labels, height }: { labels: string[]; height: number }) {
  const step = Math.max(1, Math.ceil(labels.length / 6));
  const slot = (W - LEFT) / Math.max(1, labels.length);
  return (
    <g>
      {labels.map((label, i) =>
        i % step === 0 ? (
          <text x={LEFT + i * slot + slot / 2} y={TOP + height + 18} text-anchor="middle" class="axis">
            {label}
          </text>
        ) : null,
      )}
    </g>
  );
}

export type Stack = { label: string; href: string; parts: { key: string; value: number; href: string }[] };

export function StackedBars({ title, stacks, keys }: { title: string; stacks: Stack[]; keys: string[] }) {
  const height = 180;
  const top = niceMax(Math.max(0, ...stacks.map((s) => s.parts.reduce((n, p) => n + p.value, 0))));
  const slot = (W - LEFT) / Math.max(1, stacks.length);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${TOP + height + BOTTOM}`} role="img" aria-label={title} class="chart-svg">
        <ValueAxis top={top} height={height} format={counted} />
        {stacks.map((s, i) => {
          let y = TOP + height;
          const total = s.parts.reduce((n, p) => n + p.value, 0);
          return (
            <g>
              {s.parts.map((p) => {
                const h = (p.value / top) * height;
                y -= h;
                return (
                  <a href={p.href}>
                    <rect x={LEFT + i * slot + 1} y={y} width={Math.max(1, slot - 2)} height={h} fill={colorOf(p.key)}>
                      <title>{`${s.label} · ${p.key}: ${counted(p.value)} of ${counted(total)} events`}</title>
                    </rect>
                  </a>
                );
              })}
            </g>
          );
        })}
        <TimeAxis labels={stacks.map((s) => s.label)} height={height} />
      </svg>
      <div class="legend">
        {keys.map((k) => (
          <span>
            <svg viewBox="0 0 10 10" width="10" height="10" aria-hidden="true">
              <rect width="10" height="10" fill={colorOf(k)} />
            </svg>{" "}
            {k}
          </span>
        ))}
      </div>
      <Numbers
        head="Period"
        rows={stacks}
        columns={keys.map((k) => ({ header: k, cell: (s: Stack) => s.parts.find((p) => p.key === k)?.value ?? 0 }))}
      />
    </figure>
  );
}

/** A bar: coloured by its category (`key`) or, for statuses, like their badge (`tone`). */
export type BarItem = { label: string; value: number; href: string; key?: string; tone?: Tone };

export function HorizontalBars({ title, items, unit = "events" }: { title: string; items: BarItem[]; unit?: string }) {
  const max = Math.max(1, ...items.map((i) => i.value));
  const row = 28;
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      {items.length === 0 ? (
        <p class="muted">Nothing in this range.</p>
      ) : (
        <svg viewBox={`0 0 520 ${items.length * row}`} role="img" aria-label={title} class="chart-svg">
          {items.map((item, i) => (
            <a href={item.href}>
              <rect
                x="180"
                y={i * row + 4}
                width={(item.value / max) * 270}
                height={row - 8}
                fill={item.tone ? TONE_COLORS[item.tone] : colorOf(item.key ?? "")}
              >
                <title>{`${item.label}: ${counted(item.value)} ${unit}`}</title>
              </rect>
              <text x="174" y={i * row + row / 2 + 5} text-anchor="end" class="label">
                {item.label.length > 24 ? `${item.label.slice(0, 23)}…` : item.label}
              </text>
              <text x={186 + (item.value / max) * 270} y={i * row + row / 2 + 5} class="value">
                {counted(item.value)}
              </text>
            </a>
          ))}
        </svg>
      )}
      <Numbers rows={items} columns={[{ cell: (i) => `${counted(i.value)} ${unit}` }]} />
    </figure>
  );
}

export type RatePoint = { label: string; total: number; failed: number; href: string };

const percent = (p: RatePoint) => (p.total ? `${((p.failed / p.total) * 100).toFixed(1)} %` : "—");

export function RateLine({ title, points }: { title: string; points: RatePoint[] }) {
  const height = 140;
  const slot = (W - LEFT) / Math.max(1, points.length);
  const x = (i: number) => LEFT + i * slot + slot / 2;
  const y = (p: RatePoint) => TOP + height - (p.total ? (p.failed / p.total) * height : 0);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${TOP + height + BOTTOM}`} role="img" aria-label={title} class="chart-svg">
        <ValueAxis top={100} height={height} format={(v) => `${v} %`} />
        <polyline
          fill="none"
          stroke={TONE_COLORS.bad}
          stroke-width="2"
          points={points.map((p, i) => `${x(i)},${y(p)}`).join(" ")}
        />
        {points.map((p, i) => (
          <a href={p.href}>
            <circle cx={x(i)} cy={y(p)} r="4" fill={TONE_COLORS.bad}>
              <title>{`${p.label}: ${counted(p.failed)} of ${counted(p.total)} failed (${percent(p)})`}</title>
            </circle>
          </a>
        ))}
        <TimeAxis labels={points.map((p) => p.label)} height={height} />
      </svg>
      <Numbers
        head="Period"
        rows={points}
        columns={[
          { header: "Requests", cell: (p) => p.total },
          { header: "Failed", cell: (p) => p.failed },
          { header: "Error rate", cell: percent },
        ]}
      />
    </figure>
  );
}
