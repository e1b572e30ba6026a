import { FieldError, FormRow } from "../../components/FormRow";
import {
  type FieldFilter,
  type FormState,
  type Pickers,
  type Suggestion,
  type SuggestionHrefs,
  TARGETS,
} from "./model";

const RANGE_LABELS: [string, string][] = [
  ["24h", "Last 24 hours"],
  ["7d", "Last 7 days"],
  ["30d", "Last 30 days"],
  ["90d", "Last 90 days"],
  ["all", "All time"],
  ["custom", "Custom (From/To)"],
];

/**
 * Suggestions under an id box: links to the explorer filtered by each (so choosing one is a plain
 * link), then one searching every actor or organisation that matches what was typed. The page
 * starts with none; htmx fills them in as one types.
 */
export function SuggestionList(props: {
  id: string;
  items?: Suggestion[];
  search?: Suggestion | undefined;
  none?: string | undefined;
}) {
  const items = props.items ?? [];
  return (
    <ul id={props.id} class="suggestions" aria-label="Suggestions">
      {items.map((s) => (
        <li>
          <a href={s.href}>
            {s.label}
            {s.detail && <small>{s.detail}</small>}
          </a>
        </li>
      ))}
      {items.length === 0 && props.none && <li class="none">{props.none}</li>}
      {props.search && (
        <li class="search-all">
          <a href={props.search.href}>{props.search.label}</a>
        </li>
      )}
    </ul>
  );
}

/** The first focus brings the first values; typing narrows them (the list could be of millions). */
function suggesting(href: string | undefined, target: string) {
  if (!href) return {};
  return {
    "hx-get": href,
    "hx-trigger": "focus once, input changed delay:250ms",
    "hx-target": `#${target}`,
    "hx-swap": "outerHTML",
    "hx-sync": "this:replace",
    "hx-include": "closest form",
    "hx-push-url": "false",
    "aria-controls": target,
    autocomplete: "off",
  };
}

/**
 * An id box with the suggestions htmx fetches for it. Without script it is a plain text field:
 * what is typed is submitted with the form (README "Filters", people and organisations by name).
 */
function SuggestedId(props: {
  name: string;
  label: string;
  value: string | undefined;
  list: string;
  href?: string;
  placeholder: string;
}) {
  return (
    <div class="suggest">
      <FormRow label={props.label}>
        <input
          id={`f-${props.name}`}
          name={props.name}
          value={props.value ?? ""}
          placeholder={props.placeholder}
          {...suggesting(props.href, props.list)}
        />
      </FormRow>
      <SuggestionList id={props.list} />
    </div>
  );
}

type Group = { group: string; values: string[]; all?: boolean };

function Picker(props: {
  name: string;
  label: string;
  value: string | undefined;
  options?: string[];
  groups?: Group[];
}) {
  const current = props.value ?? "";
  const offered = props.groups
    ? props.groups.flatMap((g) => [...(g.all ? [`${g.group}.*`] : []), ...g.values])
    : (props.options ?? []);
  const options = (values: string[]) =>
    values.map((v) => (
      <option value={v} selected={current === v}>
        {v}
      </option>
    ));
  return (
    <FormRow label={props.label}>
      <select id={`f-${props.name}`} name={props.name}>
        <option value="">Any</option>
        {/* A value from the URL that is not among the choices still shows, so Apply keeps it. */}
        {current && !offered.includes(current) && (
          <option value={current} selected>
            {current}
          </option>
        )}
        {props.groups
          ? props.groups.map((g) => (
              <optgroup label={g.group}>
                {g.all && (
                  <option value={`${g.group}.*`} selected={current === `${g.group}.*`}>
                    All {g.group} ({g.group}.*)
                  </option>
                )}
                {options(g.values)}
              </optgroup>
            ))
          : options(props.options ?? [])}
      </select>
    </FormRow>
  );
}

export type FilterBarProps = {
  /** The events page the form submits to. */
  base: string;
  form: FormState;
  pickers: Pickers;
  /** The status filter's choices. */
  statuses: string[];
  suggest?: SuggestionHrefs | undefined;
  showCategory: boolean;
  /** A partner viewer: no organisation to search by or filter on. */
  partner: boolean;
  clearHref?: string | undefined;
  searchError?: string | undefined;
  rangeError?: string | undefined;
  /** The view's metadata filters (Payments: payout source, program; Emails: recipient, e-mail type). */
  fields?: FieldFilter[] | undefined;
};

/**
 * The filter bar: a GET form, so submitting it is a URL that holds the whole state. With script it
 * applies on change (`data-apply-on-change`, views/assets-app.ts); the Apply button stays for
 * browsers without. Empty fields never reach the URL: the server answers with the clean one.
 */
export function FilterBar(props: FilterBarProps) {
  const f = props.form;
  const fields = props.fields ?? [];
  const fieldValue = (key: string) => f.metadata.find(([k]) => k === key)?.[1];
  return (
    <form method="get" action={props.base} class="filters card" role="search" data-apply-on-change="">
      {f.view !== "all" && <input type="hidden" name="view" value={f.view} />}
      {f.time !== "project" && <input type="hidden" name="time" value={f.time} />}
      {f.cols.length > 0 && <input type="hidden" name="cols" value={f.cols.join(",")} />}
      {f.live && <input type="hidden" name="live" value="1" />}
      <input type="hidden" name="range_was" value={f.range} />
      {["entity_id", "request_id", "job_id"].map(
        (k) => f.filters[k] && <input type="hidden" name={k} value={f.filters[k]} />,
      )}
      {/* Metadata filters of the URL that the view has no control for stay through Apply. */}
      {f.metadata
        .filter(([key]) => !fields.some((field) => field.key === key))
        .map(([key, value]) => (
          <input type="hidden" name={`metadata.${key}`} value={value} />
        ))}
      <div class="search">
        <select id="f-search_by" name="search_by" aria-label="Search by">
          <option value="all" selected={f.searchBy === "all"}>
            All fields
          </option>
          <option value="actor" selected={f.searchBy === "actor"}>
            Actor
          </option>
          {!props.partner && (
            <option value="organization" selected={f.searchBy === "organization"}>
              Organisation
            </option>
          )}
        </select>
        <input
          id="f-search"
          type="search"
          name="search"
          value={f.search}
          placeholder='Search, or e.g. type:commission.* -source:api "approved"'
          aria-label="Search"
          aria-invalid={props.searchError ? "true" : undefined}
          aria-describedby={props.searchError ? "search-error" : undefined}
        />
        <button type="submit">Apply</button>
        {props.clearHref && (
          <a class="button secondary" href={props.clearHref}>
            Clear all
          </a>
        )}
      </div>
      {props.searchError && <FieldError id="search-error">{props.searchError}</FieldError>}
      <div class="controls">
        <FormRow label="Date range">
          <select id="f-range" name="range">
            {RANGE_LABELS.map(([value, label]) => (
              <option value={value} selected={f.range === value}>
                {label}
              </option>
            ))}
          </select>
        </FormRow>
        <FormRow label="From">
          <input id="f-from" type="datetime-local" name="from" value={f.from} step="1" title="Project time" />
        </FormRow>
        <FormRow label="To">
          <input id="f-to" type="datetime-local" name="to" value={f.to} step="1" title="Project time" />
        </FormRow>
        <Picker name="status" label="Status" value={f.filters.status} options={props.statuses} />
        {fields.map((field) =>
          field.filter === "picker" ? (
            <Picker
              name={`metadata.${field.key}`}
              label={field.label}
              value={fieldValue(field.key)}
              options={field.options}
            />
          ) : (
            <FormRow label={field.label}>
              <input
                id={`f-metadata.${field.key}`}
                name={`metadata.${field.key}`}
                value={fieldValue(field.key) ?? ""}
                placeholder="Any"
              />
            </FormRow>
          ),
        )}
        <Picker name="type" label="Type" value={f.filters.type} groups={props.pickers.types} />
        {props.showCategory && (
          <Picker name="category" label="Category" value={f.filters.category} options={props.pickers.categories} />
        )}
        <Picker name="action" label="Action" value={f.filters.action} options={props.pickers.actions} />
        <Picker name="source" label="Source" value={f.filters.source} options={props.pickers.sources} />
        <Picker name="changed" label="Changed field" value={f.filters.changed} groups={props.pickers.changed} />
        <Picker name="actor_type" label="Actor type" value={f.filters.actor_type} options={props.pickers.actorTypes} />
        <Picker
          name="entity_type"
          label="Entity type"
          value={f.filters.entity_type}
          options={props.pickers.entityTypes}
        />
        <SuggestedId
          name="actor_id"
          label="Actor"
          value={f.filters.actor_id}
          list={TARGETS.actorIds}
          href={props.suggest?.actors}
          placeholder="Name, e-mail or id"
        />
        {!props.partner && (
          <SuggestedId
            name="organization_id"
            label="Organisation"
            value={f.filters.organization_id}
            list={TARGETS.organizationIds}
            href={props.suggest?.organizations}
            placeholder="Name or id"
          />
        )}
      </div>
      {props.rangeError && <FieldError>{props.rangeError}</FieldError>}
    </form>
  );
}
