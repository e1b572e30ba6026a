// Timestamps in the project's zone, UTC or the viewer's own (README "The dashboard", Time). The
// server renders the project and UTC forms; /assets/app.js fills in the viewer's local time from
// `datetime`.

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
export function formatInZone(iso: string, timeZone: string): string {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

export type TimeMode = "project" | "local" | "utc";

export function Timestamp({ iso, mode, zone }: { iso: string; mode: TimeMode; zone: string }) {
  // One Intl call per timestamp, none for UTC: formatToParts is most of a 50-row page's render time.
  const utcWall = new Date(iso).toISOString().slice(0, 19).replace("T", " ");
  const zoneWall = zone === "UTC" ? utcWall : formatInZone(iso, zone);
  const project = `${zoneWall} ${zone}`;
  const utc = `${utcWall} UTC`;
  const shown = mode === "utc" ? utcWall : zoneWall;
  // The title lists the other forms; app.js adds the local one and, in local mode, shows it.
  return (
    <time datetime={iso} data-project={project} data-utc={utc} title={mode === "utc" ? project : utc}>
      {shown}
    </time>
  );
}

/** `2026-11-02 10:15 UTC` (with seconds when asked) for an ISO time or epoch ms; `empty` for none. */
export function utcText(value: string | number | null, options: { seconds?: boolean; empty?: string } = {}): string {
  if (value === null) return options.empty ?? "—";
  const iso = typeof value === "number" ? new Date(value).toISOString() : value;
  return `${iso.replace("T", " ").slice(0, options.seconds ? 19 : 16)} UTC`;
}
