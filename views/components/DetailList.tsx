import type { Child } from "hono/jsx";

/** One line of a detail list: its label, its value and the value's class. */
export type DetailItem = [label: string, value: Child, valueClass?: string];

/** Labelled values of one thing (`class="detail-list"` in a card); empty entries (`false`, `null`, `undefined`) are left out. */
export function DetailList({
  items,
  class: cls,
}: {
  items: (DetailItem | false | null | undefined)[];
  class?: string | undefined;
}) {
  return (
    <dl class={cls}>
      {items
        .filter((item): item is DetailItem => Boolean(item))
        .map(([label, value, valueClass]) => (
          <>
            <dt>{label}</dt>
            <dd class={valueClass}>{value}</dd>
          </>
        ))}
    </dl>
  );
}

/** The way back to the list a detail page came from. */
export function BackLink({ href, children }: { href: string; children: Child }) {
  return (
    <p>
      <a href={href}>← {children}</a>
    </p>
  );
}
