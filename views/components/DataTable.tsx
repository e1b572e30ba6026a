import type { Child } from "hono/jsx";

/** What a list shows when it has no rows: what is (not) there, then what to do about it. */
export type EmptyState = { title: string; hint?: Child };

export function EmptyCard({ title, hint }: EmptyState) {
  return (
    <div class="card empty">
      {title}
      {hint !== undefined && " "}
      {hint}
    </div>
  );
}

/** The bare table: a header row when there are headers, then the body (`bodyId` for htmx targets). */
export function Table({
  headers,
  bodyId,
  children,
}: {
  headers?: Child[] | undefined;
  bodyId?: string;
  children: Child;
}) {
  return (
    <table class="data">
      {headers && (
        <thead>
          <tr>
            {headers.map((h) => (
              <th scope="col">{h}</th>
            ))}
          </tr>
        </thead>
      )}
      <tbody id={bodyId}>{children}</tbody>
    </table>
  );
}

/** A column: its header (none on every column: a table without a header row), its cells' class, its cell. */
export type Column<R> = { header?: Child; class?: string; cell: (row: R) => Child };

/**
 * A list as a table, scrolling sideways on narrow screens (`wrap`), or its empty state when there
 * are no rows and one is given.
 */
export function DataTable<R>({
  columns,
  rows,
  empty,
  wrap = true,
}: {
  columns: Column<R>[];
  rows: R[];
  empty?: EmptyState;
  wrap?: boolean;
}) {
  if (empty && rows.length === 0) return <EmptyCard {...empty} />;
  const headed = columns.some((c) => c.header !== undefined);
  const table = (
    <Table headers={headed ? columns.map((c) => c.header ?? "") : undefined}>
      {rows.map((row) => (
        <tr>
          {columns.map((c) => (
            <td class={c.class}>{c.cell(row)}</td>
          ))}
        </tr>
      ))}
    </Table>
  );
  return wrap ? <div class="table-wrap">{table}</div> : table;
}
