import { type ChipLink, Chips } from "./Chips";

// Timestamps in the project's zone, UTC or the viewer's own (README "The dashboard", Time). The
// server writes the project and UTC forms; /assets/app.js writes the viewer's local one. Each
// <time> carries its own mode, so cells swapped in by htmx never depend on state outside them.

const formats = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** `2026-11-02 10:15:00` in the given zone. */
export function formatInZone(iso: string | number, timeZone: string): string {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

export type TimeMode = "project" | "local" | "utc";

/** How a page shows times: the viewer's mode and the project's zone (UTC outside a project). */
export type TimeView = { mode: TimeMode; zone: string };

export function Timestamp({ iso, mode, zone }: { iso: string; mode: TimeMode; zone: string }) {
  // One Intl call per timestamp, none for UTC: formatToParts is most of a 50-row page's render time.
  const utcWall = new Date(iso).toISOString().slice(0, 19).replace("T", " ");
  const zoneWall = zone === "UTC" ? utcWall : formatInZone(iso, zone);
  const project = `${zoneWall} ${zone}`;
  const utc = `${utcWall} UTC`;
  const shown = mode === "utc" ? utcWall : zoneWall;
  // The title lists the other forms; app.js adds the local one and, in local mode, shows it.
  return (
    <time datetime={iso} data-mode={mode} data-project={project} data-utc={utc} title={mode === "utc" ? project : utc}>
      {shown}
    </time>
  );
}

/** A time of any page (ISO text or epoch ms) in the page's time display; `empty` for none. */
export function At({ at, time, empty = "—" }: { at: string | number | null; time: TimeView; empty?: string }) {
  if (at === null) return <>{empty}</>;
  const iso = typeof at === "number" ? new Date(at).toISOString() : at;
  return <Timestamp iso={iso} mode={time.mode} zone={time.zone} />;
}

/** A range of two times, or one open end (`since …`, `until …`). */
export function Span({ from, to, time }: { from: string | number | null; to: string | number | null; time: TimeView }) {
  if (from !== null && to !== null)
    return (
      <>
        <At at={from} time={time} /> – <At at={to} time={time} />
      </>
    );
  if (from !== null)
    return (
      <>
        since <At at={from} time={time} />
      </>
    );
  return to !== null ? (
    <>
      until <At at={to} time={time} />
    </>
  ) : (
    <>all time</>
  );
}

/** The three time displays as links, the current one marked; app.js names the viewer's zone in "Local". */
export function timeChips(zone: string, current: TimeMode, href: (mode: TimeMode) => string): ChipLink[] {
  return (["project", "local", "utc"] as const).map((mode) => ({
    label: mode === "project" ? `Project (${zone})` : mode === "local" ? "Local" : "UTC",
    href: href(mode),
    active: mode === current,
    attrs: mode === "local" ? { "data-local-zone": "" } : undefined,
  }));
}

/** The time display switch: a chip naming what the cells show, opening the three choices. */
export function TimeSwitch({ chips }: { chips: ChipLink[] }) {
  const current = chips.find((c) => c.active) ?? chips[0];
  return (
    <details class="switcher time-switch">
      <summary class="chip" title="Time display" {...(current?.attrs ?? {})}>
        {current?.label ?? ""}
      </summary>
      <Chips label="Time display" chips={chips} class="menu" tick />
    </details>
  );
}

/** `2026-11-02 10:15 UTC` (with seconds when asked) for an ISO time or epoch ms; `empty` for none. */
export function utcText(value: string | number | null, options: { seconds?: boolean; empty?: string } = {}): string {
  if (value === null) return options.empty ?? "—";
  const iso = typeof value === "number" ? new Date(value).toISOString() : value;
  return `${iso.replace("T", " ").slice(0, options.seconds ? 19 : 16)} UTC`;
}
