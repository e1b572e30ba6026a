import { shardBindings } from "../../db/shard/bindings";
import { FACETS } from "../../db/shard/schema";
import type { ServiceContext } from "../context";

// Events stored before event_metadata existed (shard migration 0002) get their metadata rows here,
// in chunks of seq below the mark the migration left, newest first, so `metadata.<key>:` finds
// recent events first (README "Filters"). A scan of a whole shard in one migration could pass
// D1's 30 s per query on a large shard; a chunk of 5,000 events takes milliseconds.

const CHUNK = 5_000;
/** Chunks per shard and run: 100,000 events every two minutes. */
const CHUNKS_PER_RUN = 20;

/** The same keys and values as the insert trigger of migrations/events/0002_event_metadata.sql. */
const SCALARS = `j.type IN ('text', 'integer', 'real', 'true', 'false') AND length(j.value) <= 200
  AND length(j.key) BETWEEN 1 AND 64 AND j.key NOT GLOB '*[^A-Za-z0-9_-]*'`;

const KEYS_SQL = `INSERT OR IGNORE INTO terms (facet, value)
SELECT DISTINCT ${FACETS.metadata}, j.key FROM events AS e, json_each(e.data, '$.metadata') AS j
WHERE e.seq >= ?1 AND e.seq < ?2 AND ${SCALARS}`;

const ROWS_SQL = `INSERT OR IGNORE INTO event_metadata (pn, key, value, occurred_at, seq)
SELECT e.pn, t.id, CASE WHEN j.type = 'text' THEN j.value ELSE e.data -> j.fullkey END, e.occurred_at, e.seq
FROM events AS e, json_each(e.data, '$.metadata') AS j JOIN terms AS t ON t.facet = ${FACETS.metadata} AND t.value = j.key
WHERE e.seq >= ?1 AND e.seq < ?2 AND ${SCALARS}`;

/** Fills in one shard's older metadata rows, up to `chunks` chunks; returns how many events it covered. */
export async function backfillShard(d1: D1Database, chunks = CHUNKS_PER_RUN): Promise<number> {
  let covered = 0;
  for (let i = 0; i < chunks; i++) {
    const mark = await d1.prepare("SELECT below FROM metadata_backfill WHERE id = 1").first<{ below: number }>();
    if (!mark) break;
    const low = Math.max(mark.below - CHUNK, 0);
    await d1.batch([
      d1.prepare(KEYS_SQL).bind(low, mark.below),
      d1.prepare(ROWS_SQL).bind(low, mark.below),
      // min(): a run overlapping another never moves the mark back up.
      low <= 1
        ? d1.prepare("DELETE FROM metadata_backfill WHERE id = 1")
        : d1.prepare("UPDATE metadata_backfill SET below = min(below, ?1) WHERE id = 1").bind(low),
    ]);
    covered += mark.below - low;
    if (low <= 1) break;
  }
  return covered;
}

/** Every shard's older metadata rows, a bounded part per run (the two-minute cron). */
export async function backfillMetadata(ctx: ServiceContext): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const { binding, d1 } of shardBindings(ctx.env)) {
    const covered = await backfillShard(d1);
    if (covered) out[binding] = covered;
  }
  return out;
}
