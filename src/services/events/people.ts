import { type SQL, sql } from "drizzle-orm";
import { actors, actorWords } from "../../db/shard/schema";
import { wordRange } from "../../lib/words";

// Actors by name (README "Filters", `actor:`): a range of actor_words (pn, word, actor), the folded
// words of the project's actors' names and e-mails, never a scan of names.

const list = (values: string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

/**
 * The dictionary ids of the actors an `actor:` clause names: by id exactly, or by the start of any
 * word of their name or e-mail address, case- and accent-insensitively (`jane`, `doe`,
 * `jane@example.com`, `jane@ex`). Three bound values per value, as before words.
 */
export function actorsMatching(pn: number, values: string[]): SQL {
  const ranges = values.flatMap((v) => {
    const range = wordRange(v);
    return range ? [sql`(${actorWords.word} >= ${range.from} AND ${actorWords.word} < ${range.to})`] : [];
  });
  const byId = sql`SELECT ${actors.id} FROM ${actors} WHERE ${actors.actorId} IN (${list(values)})`;
  if (ranges.length === 0) return byId;
  return sql`${byId} UNION ALL SELECT ${actorWords.actor} FROM ${actorWords} WHERE ${actorWords.pn} = ${sql.raw(String(Math.trunc(pn)))} AND (${sql.join(ranges, sql` OR `)})`;
}
