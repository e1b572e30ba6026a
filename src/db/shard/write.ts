import { wordsOf } from "../../lib/words";
import { COUNT_DAY_MS, FACETS } from "./schema";

// The statements that store events in a shard, all in one D1 batch (one transaction). Each reads
// its rows from one JSON array parameter through json_each, so a batch of 1,000 events is a handful
// of statements (D1 allows 100 bound parameters per statement but 2 MB per string). json_each is
// aliased `j` everywhere: inside a subquery on terms, a bare `value` would be terms.value.

/** What the shard stores of one event, computed by ingest (src/services/ingest/prepare.ts). */
export type ShardEvent = {
  occurredAt: number;
  receivedAt: number;
  /** SHA-256 of data, hex. */
  hash: string;
  data: string;
  category: string;
  type: string;
  status: string | null;
  source: string | null;
  actorType: string | null;
  actorId: string | null;
  actorName: string | null;
  /** Lowercased: `actor:` matches e-mails case-insensitively. */
  actorEmail: string | null;
  entityType: string | null;
  organizationId: string | null;
  changedFields: string[];
  /** Keys of its metadata that event_metadata indexes (metadataKeysOf). */
  metadataKeys: string[];
  /** The customer's signature of the request that carried it (README "Customer-side signatures"). */
  signature?: ClientSignature | undefined;
};

/** A verified signature to keep beside an event: the event's id, the API key's id, base64url Ed25519. */
export type ClientSignature = { eventId: string; keyId: string; signature: string };

/** A delivery owed to a webhook endpoint for one of the events (src/services/webhooks/fanout.ts). */
export type OutboxRow = { endpointId: string; eventId: string; eventType: string; requestId: string | null };

/** Chunks of 500,000 characters stay under D1's 2 MB per string even when every character takes three bytes. */
const CHUNK_MAX_CHARS = 500_000;

const GUARD_SQL = "INSERT INTO write_guard (frozen) SELECT 1 FROM shard_projects WHERE pn = ?1 AND frozen = 1";
const TERMS_SQL =
  "INSERT OR IGNORE INTO terms (facet, value) SELECT j.value ->> 0, j.value ->> 1 FROM json_each(?1) AS j";
const ACTORS_SQL =
  "INSERT OR IGNORE INTO actors (actor_id, name, email) SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2 FROM json_each(?1) AS j";

/** [word, actor id, name, email]: the words the explorer finds an actor by (src/lib/words.ts). */
const ACTOR_WORDS_SQL = `INSERT OR IGNORE INTO actor_words (pn, word, actor)
SELECT ?1, j.value ->> 0, a.id FROM json_each(?2) AS j
JOIN actors AS a ON a.actor_id = j.value ->> 1 AND a.name = j.value ->> 2 AND a.email = j.value ->> 3`;

const term = (facet: number, index: number) =>
  `(SELECT id FROM terms WHERE facet = ${facet} AND value = j.value ->> ${index})`;

/**
 * Row layout: [occurred_at, received_at, hash, data, category, type, status, source, actor id, name,
 * email, actor type, entity type, organization].
 */
const INSERT_SQL = `INSERT INTO events (pn, occurred_at, received_at, hash, data, category, type, status, source, actor, actor_type, entity_type, organization)
SELECT ?1, j.value ->> 0, j.value ->> 1, unhex(j.value ->> 2), j.value ->> 3, ${term(FACETS.category, 4)}, ${term(FACETS.type, 5)},
  ${term(FACETS.status, 6)}, ${term(FACETS.source, 7)},
  (SELECT id FROM actors WHERE actor_id = j.value ->> 8 AND name = j.value ->> 9 AND email = j.value ->> 10),
  ${term(FACETS.actor_type, 11)}, ${term(FACETS.entity_type, 12)}, ${term(FACETS.organization, 13)}
FROM json_each(?2) AS j`;

/** [organization or null, facet, value]: the value's term for the project (organization 0) and for its organisation. */
const FACETS_SQL = `INSERT OR IGNORE INTO event_facets (pn, organization, facet, value)
SELECT ?1, coalesce(o.id, 0), t.facet, t.id FROM json_each(?2) AS j
JOIN terms AS t ON t.facet = j.value ->> 1 AND t.value = j.value ->> 2
LEFT JOIN terms AS o ON o.facet = ${FACETS.organization} AND o.value = j.value ->> 0`;

/**
 * The same with the actors' picker values, [organization or null, actor id, name, email] in ?3: one
 * statement for both, a statement fewer in every write batch that has an actor.
 */
const FACETS_WITH_ACTORS_SQL = `${FACETS_SQL}
UNION ALL
SELECT ?1, coalesce(o.id, 0), ${FACETS.actor}, a.id FROM json_each(?3) AS j
JOIN actors AS a ON a.actor_id = j.value ->> 1 AND a.name = j.value ->> 2 AND a.email = j.value ->> 3
LEFT JOIN terms AS o ON o.facet = ${FACETS.organization} AND o.value = j.value ->> 0`;

/** [event id, key id, signature]: by the events' seqs, which the insert above just assigned. */
const SIGNATURES_SQL = `INSERT OR IGNORE INTO event_signatures (seq, pn, key_id, signature)
SELECT e.seq, ?1, j.value ->> 1, j.value ->> 2 FROM json_each(?2) AS j JOIN events AS e ON e.pn = ?1 AND e.id = j.value ->> 0`;

const COUNTS_SQL = `INSERT INTO event_counts (pn, day, n) SELECT ?1, j.value ->> 0, j.value ->> 1 FROM json_each(?2) AS j WHERE true
ON CONFLICT (pn, day) DO UPDATE SET n = n + excluded.n`;

const OUTBOX_SQL = `INSERT INTO webhook_outbox (pn, endpoint_id, event_id, event_type, request_id, created_at)
SELECT ?1, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, ?2 FROM json_each(?3) AS j RETURNING id`;

/** Outbox rows of every project of the shard older than `before`, with their project's id (the sweep). */
const OUTBOX_READ_SQL = `SELECT o.id AS outboxId, p.project_id AS projectId, o.endpoint_id AS endpointId, o.event_id AS eventId,
  o.event_type AS eventType, o.request_id AS requestId, o.created_at AS createdAt
FROM webhook_outbox AS o JOIN shard_projects AS p ON p.pn = o.pn WHERE o.created_at < ?1 ORDER BY o.id LIMIT ?2`;

export async function deleteOutboxRows(d1: D1Database, ids: number[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    await d1
      .prepare("DELETE FROM webhook_outbox WHERE id IN (SELECT value FROM json_each(?1))")
      .bind(JSON.stringify(ids.slice(i, i + 500)))
      .run();
  }
}

export async function readOutbox(
  d1: D1Database,
  before: number,
  limit: number,
): Promise<(OutboxRow & { outboxId: number; projectId: string; createdAt: number })[]> {
  const { results } = await d1
    .prepare(OUTBOX_READ_SQL)
    .bind(before, limit)
    .all<OutboxRow & { outboxId: number; projectId: string; createdAt: number }>();
  return results;
}

/** The statement that makes a batch fail when its project is frozen (the last step of a move). */
export function guardStatement(d1: D1Database, pn: number): D1PreparedStatement {
  return d1.prepare(GUARD_SQL).bind(pn);
}

/** Splits JSON-encoded rows into arrays of at most CHUNK_MAX_CHARS characters. */
function chunks(rows: string[]): string[] {
  const out: string[] = [];
  let chunk: string[] = [];
  let size = 0;
  for (const row of rows) {
    if (size + row.length > CHUNK_MAX_CHARS && chunk.length) {
      out.push(`[${chunk.join(",")}]`);
      chunk = [];
      size = 0;
    }
    chunk.push(row);
    size += row.length + 1;
  }
  if (chunk.length) out.push(`[${chunk.join(",")}]`);
  return out;
}

/**
 * The statements storing `rows` (new to the shard) for project `pn`, with the webhook deliveries
 * they owe (written at `now`): the guard first, then dictionary entries, events (whose triggers
 * write full text and changed fields), the customers' signatures, picker values, day counts and the outbox (last, so their
 * results, the outbox rows' ids, are the batch's last `outboxStatements` results).
 */
export function storeStatements(
  d1: D1Database,
  pn: number,
  rows: ShardEvent[],
  outbox: OutboxRow[] = [],
  now = Date.now(),
): { statements: D1PreparedStatement[]; outboxStatements: number } {
  const terms = new Set<string>();
  const actors = new Set<string>();
  const facets = new Set<string>();
  const actorFacets = new Set<string>();
  const days = new Map<number, number>();
  const inserts: string[] = [];
  const signatures: string[] = [];
  for (const e of rows) {
    if (e.signature) signatures.push(JSON.stringify([e.signature.eventId, e.signature.keyId, e.signature.signature]));
    const org = e.organizationId;
    // An organisation's rows feed its partner viewers' pickers, and partner viewers never see
    // configuration activity (README "Roles"), so its values stay in the project's rows only.
    const orgFacets = e.category === "configuration" ? null : org;
    const valued: [number, string | null][] = [
      [FACETS.category, e.category],
      [FACETS.type, e.type],
      [FACETS.status, e.status],
      [FACETS.source, e.source],
      [FACETS.actor_type, e.actorType],
      [FACETS.entity_type, e.entityType],
      [FACETS.organization, org],
      ...e.changedFields.map((f): [number, string] => [FACETS.changed, f]),
      // The pickers also offer a field of an entity type (`commission.status`), as the filter takes it.
      ...(e.entityType === null
        ? []
        : e.changedFields.map((f): [number, string] => [FACETS.changed, `${e.entityType}.${f}`])),
    ];
    // Metadata keys are terms for event_metadata's insert trigger only, never picker values.
    for (const key of e.metadataKeys) terms.add(JSON.stringify([FACETS.metadata, key]));
    for (const [facet, value] of valued) {
      if (value === null) continue;
      terms.add(JSON.stringify([facet, value]));
      facets.add(JSON.stringify([null, facet, value]));
      if (orgFacets !== null) facets.add(JSON.stringify([orgFacets, facet, value]));
    }
    const actor = e.actorId ?? e.actorName ?? e.actorEmail;
    const identity = actor === null ? null : [e.actorId ?? "", e.actorName ?? "", e.actorEmail ?? ""];
    if (identity) {
      actors.add(JSON.stringify(identity));
      actorFacets.add(JSON.stringify([null, ...identity]));
      if (orgFacets !== null) actorFacets.add(JSON.stringify([orgFacets, ...identity]));
    }
    inserts.push(
      JSON.stringify([
        e.occurredAt,
        e.receivedAt,
        e.hash,
        e.data,
        e.category,
        e.type,
        e.status,
        e.source,
        ...(identity ?? [null, null, null]),
        e.actorType,
        e.entityType,
        org,
      ]),
    );
    const day = Math.floor(Math.max(e.occurredAt, 0) / COUNT_DAY_MS);
    days.set(day, (days.get(day) ?? 0) + 1);
  }
  const list = (set: Set<string>) => `[${[...set].join(",")}]`;
  const statements = [guardStatement(d1, pn), d1.prepare(TERMS_SQL).bind(list(terms))];
  if (actors.size) statements.push(d1.prepare(ACTORS_SQL).bind(list(actors)));
  const words = [...actors].flatMap((json) => {
    const [id, name, email] = JSON.parse(json) as [string, string, string];
    return wordsOf(name, email).map((w) => JSON.stringify([w, id, name, email]));
  });
  for (const chunk of chunks(words)) statements.push(d1.prepare(ACTOR_WORDS_SQL).bind(pn, chunk));
  for (const chunk of chunks(inserts)) statements.push(d1.prepare(INSERT_SQL).bind(pn, chunk));
  for (const chunk of chunks(signatures)) statements.push(d1.prepare(SIGNATURES_SQL).bind(pn, chunk));
  statements.push(
    actorFacets.size
      ? d1.prepare(FACETS_WITH_ACTORS_SQL).bind(pn, list(facets), list(actorFacets))
      : d1.prepare(FACETS_SQL).bind(pn, list(facets)),
  );
  statements.push(d1.prepare(COUNTS_SQL).bind(pn, JSON.stringify([...days])));
  const owed = chunks(outbox.map((o) => JSON.stringify([o.endpointId, o.eventId, o.eventType, o.requestId])));
  for (const chunk of owed) statements.push(d1.prepare(OUTBOX_SQL).bind(pn, now, chunk));
  // The outbox statements come last, each returning its rows' ids in input order.
  return { statements, outboxStatements: owed.length };
}

/**
 * Deletes a project's events by seq, all older than `cutoff`, in one batch: the cutoff row lets
 * the delete trigger allow exactly these (their full text, changed fields and day counts go with
 * them, by trigger), and goes again in the same batch.
 */
export async function deleteEvents(
  store: { d1: D1Database; pn: number },
  seqs: number[],
  cutoff: number,
): Promise<void> {
  const { d1, pn } = store;
  if (seqs.length === 0) return;
  await d1.batch([
    d1
      .prepare(
        "INSERT INTO delete_cutoffs (pn, cutoff) VALUES (?1, ?2) ON CONFLICT (pn) DO UPDATE SET cutoff = excluded.cutoff",
      )
      .bind(pn, cutoff),
    d1
      .prepare("DELETE FROM events WHERE pn = ?1 AND occurred_at < ?2 AND seq IN (SELECT value FROM json_each(?3))")
      .bind(pn, cutoff, JSON.stringify(seqs)),
    d1.prepare("DELETE FROM delete_cutoffs WHERE pn = ?1").bind(pn),
  ]);
}

/** Keys event_metadata indexes: those of the search syntax's form (METADATA_KEY) with a scalar value. */
const INDEXED_KEY = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The top-level metadata keys an event's metadata row needs as terms: a key of letters, digits,
 * `_` and `-` (what `metadata.<key>:` can name) holding a string, number or boolean. The insert
 * trigger writes the rows and also skips text longer than 200 characters.
 */
export function metadataKeysOf(metadata: unknown): string[] {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) return [];
  return Object.entries(metadata).flatMap(([key, value]) =>
    INDEXED_KEY.test(key) && ["string", "number", "boolean"].includes(typeof value) ? [key] : [],
  );
}

/** An event stored before, with the changed fields and metadata keys read back from its JSON. */
export function fromStoredData<T extends Omit<ShardEvent, "changedFields" | "metadataKeys">>(row: T): T & ShardEvent {
  const stored = JSON.parse(row.data) as { changes?: object; metadata?: unknown };
  return { ...row, changedFields: Object.keys(stored.changes ?? {}), metadataKeys: metadataKeysOf(stored.metadata) };
}

/**
 * Stores copies of already-stored events (a move, an adoption) on a shard, skipping those whose id
 * the project already has there, so a copy repeated after a crash doubles nothing. Returns how
 * many were new.
 */
export async function storeCopies(
  store: { d1: D1Database; pn: number },
  rows: (Omit<ShardEvent, "changedFields" | "metadataKeys"> & { id: string })[],
): Promise<number> {
  const { d1, pn } = store;
  if (rows.length === 0) return 0;
  const { results } = await d1
    .prepare("SELECT id FROM events WHERE pn = ?1 AND id IN (SELECT value FROM json_each(?2))")
    .bind(pn, JSON.stringify(rows.map((r) => r.id)))
    .all<{ id: string }>();
  const there = new Set(results.map((r) => r.id));
  const fresh = rows.filter((r) => !there.has(r.id)).map(fromStoredData);
  if (fresh.length) await d1.batch(storeStatements(d1, pn, fresh).statements);
  return fresh.length;
}
