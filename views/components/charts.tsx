import { type Column, DataTable } from "./DataTable";

// Server-rendered SVG charts: readable without script, each with its numbers as a table and each
// mark a link to the explorer filtered to what it shows.

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
const colorOf = (key: string) => CATEGORY_COLORS[key] ?? "#6b7280";

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

export type Stack = { label: string; href: string; parts: { key: string; value: number; href: string }[] };

export function StackedBars({ title, stacks, keys }: { title: string; stacks: Stack[]; keys: string[] }) {
  const width = 720;
  const height = 180;
  const max = Math.max(1, ...stacks.map((s) => s.parts.reduce((n, p) => n + p.value, 0)));
  const barWidth = width / Math.max(1, stacks.length);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-label={title} class="chart-svg">
        {stacks.map((s, i) => {
          let y = height;
          return (
            <g>
              {s.parts.map((p) => {
                const h = (p.value / max) * height;
                y -= h;
                return (
                  <a href={p.href}>
                    <rect x={i * barWidth + 1} y={y} width={Math.max(1, barWidth - 2)} height={h} fill={colorOf(p.key)}>
                      <title>{`${s.label} · ${p.key}: ${p.value}`}</title>
                    </rect>
                  </a>
                );
              })}
            </g>
          );
        })}
        <text x="0" y={height + 15} class="axis">
          {stacks[0]?.label ?? ""}
        </text>
        <text x={width} y={height + 15} text-anchor="end" class="axis">
          {stacks.at(-1)?.label ?? ""}
        </text>
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

export type BarItem = { label: string; value: number; href: string; key?: string };

export function HorizontalBars({ title, items, unit = "events" }: { title: string; items: BarItem[]; unit?: string }) {
  const max = Math.max(1, ...items.map((i) => i.value));
  const row = 26;
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
                width={(item.value / max) * 280}
                height={row - 8}
                fill={colorOf(item.key ?? "")}
              />
              <text x="174" y={i * row + row / 2 + 4} text-anchor="end" class="label">
                {item.label.length > 28 ? `${item.label.slice(0, 27)}…` : item.label}
              </text>
              <text x={186 + (item.value / max) * 280} y={i * row + row / 2 + 4} class="value">
                {item.value.toLocaleString("en-US")}
              </text>
            </a>
          ))}
        </svg>
      )}
      <Numbers rows={items} columns={[{ cell: (i) => `${i.value.toLocaleString("en-US")} ${unit}` }]} />
    </figure>
  );
}

export type RatePoint = { label: string; total: number; failed: number; href: string };

export function RateLine({ title, points }: { title: string; points: RatePoint[] }) {
  const width = 720;
  const height = 140;
  const step = width / Math.max(1, points.length - 1);
  const y = (p: RatePoint) => height - (p.total ? (p.failed / p.total) * height : 0);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height + 10}`} role="img" aria-label={title} class="chart-svg">
        <polyline
          fill="none"
          stroke="#dc2626"
          stroke-width="2"
          points={points.map((p, i) => `${i * step},${y(p)}`).join(" ")}
        />
        {points.map((p, i) => (
          <a href={p.href}>
            <circle cx={i * step} cy={y(p)} r="4" fill="#dc2626">
              <title>{`${p.label}: ${p.failed} of ${p.total} failed`}</title>
            </circle>
          </a>
        ))}
      </svg>
      <Numbers
        head="Period"
        rows={points}
        columns={[
          { header: "Requests", cell: (p) => p.total },
          { header: "Failed", cell: (p) => p.failed },
          { header: "Error rate", cell: (p) => (p.total ? `${((p.failed / p.total) * 100).toFixed(1)} %` : "—") },
        ]}
      />
    </figure>
  );
}
