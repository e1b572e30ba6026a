import type { Child } from "hono/jsx";

/** A message about one field, announced when it appears. */
export function FieldError({ id, children }: { id?: string; children: Child }) {
  return (
    <div id={id} class="field-error" role="alert">
      {children}
    </div>
  );
}

/** A labelled control: the label, a hint under it, the control, and the field's error if any. */
export function FormRow({
  label,
  hint,
  error,
  children,
}: {
  label: Child;
  hint?: Child;
  error?: string | undefined;
  children: Child;
}) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the row's children.
    <label>
      {label}
      {hint !== undefined && <span class="hint">{hint}</span>}
      {children}
      {error && <FieldError>{error}</FieldError>}
    </label>
  );
}

/** A checkbox or radio button followed by its label. */
export function Choice(props: {
  type?: "checkbox" | "radio";
  name: string;
  value: string;
  checked?: boolean;
  label: Child;
}) {
  return (
    <label class="fit">
      <span>
        <input type={props.type ?? "checkbox"} name={props.name} value={props.value} checked={props.checked} />{" "}
        {props.label}
      </span>
    </label>
  );
}

/** A form's submit button on a line of its own or, `fit`, closing a row of fields. */
export function Submit({ kind, fit, children }: { kind?: "secondary" | "danger"; fit?: boolean; children: Child }) {
  return (
    <div class={fit ? "fit" : undefined}>
      <button type="submit" class={kind}>
        {children}
      </button>
    </div>
  );
}
