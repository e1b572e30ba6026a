import { Span, type TimeView } from "./time";

/** Filters in words, and the time range they cover (epoch ms), shown in the page's time display. */
export type FilterWords = { words: string[]; from: number | null; to: number | null };

/** `Payments · failed · last 7 days`, or with explicit bounds `… · since 2026-11-24 13:52:54`. */
export function FilterSummary({ filters, time }: { filters: FilterWords; time: TimeView }) {
  const bounded = filters.from !== null || filters.to !== null;
  if (filters.words.length === 0 && !bounded) return <>all events</>;
  return (
    <>
      {filters.words.join(" · ")}
      {filters.words.length > 0 && bounded && " · "}
      {bounded && <Span from={filters.from} to={filters.to} time={time} />}
    </>
  );
}
