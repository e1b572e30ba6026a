import { describe, expect, it } from "vitest";
import { Badge, TaskStatus } from "../../views/components/Badge";
import { Chips } from "../../views/components/Chips";
import { DataTable } from "../../views/components/DataTable";
import { DetailList } from "../../views/components/DetailList";
import { Flash, OneTimeSecret } from "../../views/components/Flash";
import { FormRow, Submit } from "../../views/components/FormRow";
import { PostButton } from "../../views/components/PostButton";

// The shared components render the markup the pages, the browser tests and the stylesheet expect.

const html = (node: unknown) => String(node);
const rows = [
  { id: "a", n: 1 },
  { id: "b", n: 2 },
];

describe("Chips", () => {
  const chips = [
    { label: "All", href: "/x" },
    { label: "failed", href: "/x?status=failed", active: true },
  ];

  it("is a labelled group of links whose active one is aria-current", () => {
    expect(html(Chips({ label: "Status", chips }))).toBe(
      '<div class="chips" role="group" aria-label="Status"><a class="chip" href="/x">All</a><a class="chip" href="/x?status=failed" aria-current="true">failed</a></div>',
    );
  });

  it("ticks the active chips of a menu", () => {
    const out = html(Chips({ label: "Columns", chips, class: "menu", tick: true }));
    expect(out).toContain('<div class="menu" role="group" aria-label="Columns">');
    expect(out).toContain('aria-current="true">✓ failed</a>');
    expect(out).toContain('href="/x">All</a>');
  });
});

describe("DataTable", () => {
  const columns = [
    { header: "Id", class: "mono", cell: (r: (typeof rows)[number]) => r.id },
    { header: "", cell: (r: (typeof rows)[number]) => String(r.n) },
  ];

  it("draws a header row and a cell per column, scrolling sideways", () => {
    expect(html(DataTable({ columns, rows }))).toBe(
      '<div class="table-wrap"><table class="data"><thead><tr><th scope="col">Id</th><th scope="col"></th></tr></thead><tbody><tr><td class="mono">a</td><td>1</td></tr><tr><td class="mono">b</td><td>2</td></tr></tbody></table></div>',
    );
  });

  it("has no header row when no column has a header, and no wrapper when asked", () => {
    const out = html(DataTable({ columns: [{ cell: (r: (typeof rows)[number]) => r.id }], rows, wrap: false }));
    expect(out).toBe('<table class="data"><tbody><tr><td>a</td></tr><tr><td>b</td></tr></tbody></table>');
  });

  it("shows its empty state instead of an empty table, and the table when it has none", () => {
    const empty = { title: "No rows yet.", hint: "Add one." };
    expect(html(DataTable({ columns, rows: [], empty }))).toBe('<div class="card empty">No rows yet. Add one.</div>');
    expect(html(DataTable({ columns, rows: [], empty: { title: "Nothing." } }))).toBe(
      '<div class="card empty">Nothing.</div>',
    );
    expect(html(DataTable({ columns, rows: [] }))).toContain("<tbody></tbody>");
  });
});

describe("form pieces", () => {
  it("labels a control with its hint and error", () => {
    const out = html(FormRow({ label: "Name", hint: "Your own.", error: "is required", children: "CONTROL" }));
    expect(out).toBe(
      '<label>Name<span class="hint">Your own.</span>CONTROL<div class="field-error" role="alert">is required</div></label>',
    );
    expect(html(FormRow({ label: "Name", children: "CONTROL" }))).toBe("<label>NameCONTROL</label>");
  });

  it("posts a one-button form, to the page itself without an action", () => {
    expect(html(PostButton({ action: "/a/remove", kind: "danger", children: "Remove" }))).toBe(
      '<form method="post" action="/a/remove"><button type="submit" class="danger">Remove</button></form>',
    );
    expect(html(PostButton({ class: "fit", children: "Join" }))).toBe(
      '<form method="post" class="fit"><button type="submit">Join</button></form>',
    );
    expect(html(Submit({ fit: true, kind: "secondary", children: "Apply" }))).toBe(
      '<div class="fit"><button type="submit" class="secondary">Apply</button></div>',
    );
  });
});

describe("messages and badges", () => {
  it("says information, success, what came with it, then errors", () => {
    const out = html(
      Flash({
        info: "I",
        success: "S",
        error: "E",
        children: OneTimeSecret({ secret: "whsec_x", children: "Copy it:" }),
      }),
    );
    expect(out).toBe(
      '<div class="alert info" role="status">I</div><div class="alert success" role="status">S</div><div class="alert success" role="status">Copy it:<div class="secret">whsec_x</div></div><div class="alert error" role="alert">E</div>',
    );
    expect(html(Flash({}))).toBe("");
  });

  it("colours badges by tone, task statuses by meaning", () => {
    expect(html(Badge({ children: "Off" }))).toBe('<span class="badge">Off</span>');
    expect(html(Badge({ tone: "info", class: "lifecycle", children: "approved" }))).toBe(
      '<span class="badge info lifecycle">approved</span>',
    );
    expect(html(TaskStatus({ status: "in_progress" }))).toBe('<span class="badge warn">in progress</span>');
    expect(html(TaskStatus({ status: "done" }))).toBe('<span class="badge ok">done</span>');
    expect(html(TaskStatus({ status: "unheard_of" }))).toBe('<span class="badge info">unheard of</span>');
  });

  it("lists labelled values, leaving out empty entries", () => {
    const out = html(
      DetailList({ class: "detail-list", items: [["A", "1"], false, null, undefined, ["B", "2", "mono"]] }),
    );
    expect(out).toBe('<dl class="detail-list"><dt>A</dt><dd>1</dd><dt>B</dt><dd class="mono">2</dd></dl>');
  });
});
