/** One chip: a link, current when `active`, with an optional tooltip and extra attributes for the script. */
export type ChipLink = {
  label: string;
  href: string;
  active?: boolean;
  title?: string | undefined;
  attrs?: Record<string, string> | undefined;
};

/**
 * A labelled group of chip links (a filter's values, a range, a display choice); the active one is
 * `aria-current="true"`. `tick` marks active chips with a check mark, for choices that add up.
 */
export function Chips({
  label,
  chips,
  class: cls = "chips",
  tick,
}: {
  label: string;
  chips: ChipLink[];
  class?: string;
  tick?: boolean;
}) {
  return (
    <div class={cls} role="group" aria-label={label}>
      {chips.map((c) => (
        <a class="chip" href={c.href} aria-current={c.active ? "true" : undefined} title={c.title} {...(c.attrs ?? {})}>
          {tick && c.active ? "✓ " : ""}
          {c.label}
        </a>
      ))}
    </div>
  );
}
