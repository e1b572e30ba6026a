// wrangler dev never fires a Worker's crons by itself ("Scheduled Workers are not automatically
// triggered during local development"); npm start fires them through the local scheduled endpoint,
// so that locally too the */2 sweep re-sends the messages a restart lost (local queues live in memory).

/** The schedules of wrangler.toml's [triggers] crons. */
export function cronsOf(toml) {
  const list = /^\s*crons\s*=\s*\[([^\]]*)\]/m.exec(toml);
  return list ? [...(list[1] ?? "").matchAll(/"([^"]+)"/g)].map((m) => m[1]) : [];
}

/**
 * Whether a five-field cron matches the UTC minute of `date`, for the forms wrangler.toml uses:
 * numbers, `*`, `*\/n` and comma lists.
 */
export function cronMatches(cron, date) {
  const fields = cron.trim().split(/\s+/);
  const values = [
    date.getUTCMinutes(),
    date.getUTCHours(),
    date.getUTCDate(),
    date.getUTCMonth() + 1,
    date.getUTCDay(),
  ];
  return (
    fields.length === 5 &&
    fields.every((field, i) =>
      field.split(",").some((part) => {
        if (part === "*") return true;
        const step = /^\*\/(\d+)$/.exec(part);
        if (step) return values[i] % Number(step[1]) === 0;
        return /^\d+$/.test(part) && Number(part) === values[i];
      }),
    )
  );
}

/**
 * Fires each cron at its minute against a local server (`base`: the URL npm start serves on, its
 * port included); checks every `everyMs`; returns a function that stops.
 */
export function fireCrons(base, crons, everyMs = 5_000) {
  let last = -1;
  const timer = setInterval(() => {
    const now = new Date();
    const minute = Math.floor(now.getTime() / 60_000);
    if (minute === last) return;
    last = minute;
    for (const cron of crons.filter((c) => cronMatches(c, now)))
      fetch(`${base}/cdn-cgi/local/scheduled?cron=${encodeURIComponent(cron)}`)
        .then((r) => r.body?.cancel())
        .catch(() => undefined);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
