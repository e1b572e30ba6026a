// The dashboard's one stylesheet, served at a content-hashed URL (src/routes/dashboard/assets.ts).
export const STYLES = `
:root {
  --bg: #f6f7f9; --panel: #fff; --text: #1c2330; --muted: #5c6675; --line: #dfe3ea;
  --accent: #2f5bea; --accent-text: #fff; --danger: #c62f2f; --ok: #1d7f46; --warn: #a26200; --grey: #6b7280;
  --radius: 8px; --font: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
}
* { box-sizing: border-box; }
html { font-family: var(--font); color: var(--text); background: var(--bg); font-size: 15px; line-height: 1.45; }
body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible { outline: 3px solid #9db4ff; outline-offset: 2px; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .75rem; }
code, .mono { font-family: var(--mono); font-size: .9em; }
.skip { position: absolute; left: -9999px; } .skip:focus { left: 1rem; top: 1rem; background: var(--panel); padding: .5rem; z-index: 10; }
.topbar { display: flex; align-items: center; gap: .75rem; padding: .5rem 1.25rem; background: var(--panel); border-bottom: 1px solid var(--line); flex-wrap: wrap; }
.brand { font-weight: 700; text-decoration: none; color: var(--text); letter-spacing: .01em; }
.topnav { display: flex; gap: .15rem; flex-wrap: wrap; }
.topnav a { padding: .35rem .55rem; border-radius: 6px; text-decoration: none; color: var(--muted); white-space: nowrap; }
@media (min-width: 1100px) { .topbar { flex-wrap: nowrap; } .topnav { flex-wrap: nowrap; flex-shrink: 0; } }
.topbar .chip { white-space: nowrap; }
.topnav a[aria-current="page"] { background: #e8edff; color: var(--accent); font-weight: 600; }
.who { margin-left: auto; display: flex; align-items: center; gap: .5rem; color: var(--muted); }
.who .notifications { text-decoration: none; color: var(--muted); padding: .35rem .5rem; border-radius: 6px; white-space: nowrap; }
.who .notifications[aria-current="page"] { background: #e8edff; color: var(--accent); }
.project-name, .user-name { display: inline-block; max-width: 160px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: bottom; }
@media (min-width: 1100px) and (max-width: 1400px) { .topbar { gap: .5rem; } .topnav a { padding: .35rem .45rem; } .project-name, .user-name { max-width: 120px; } }
.topbar details.switcher .menu { min-width: 220px; }
.topbar details.projects .menu { left: 0; right: auto; }
.menu a { text-decoration: none; padding: .2rem .3rem; border-radius: 4px; }
.menu a[aria-current="page"] { font-weight: 600; }
main { flex: 1; width: 100%; max-width: 1280px; margin: 0 auto; padding: 1.25rem 1.25rem 3rem; }
main[hx-boost] { max-width: none; }
.section-tabs { margin-top: -.25rem; }
.narrow { max-width: 420px; margin: 8vh auto 0; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 1.25rem; margin-bottom: 1rem; }
form.stack { display: grid; gap: .85rem; }
label { display: grid; gap: .3rem; font-weight: 600; font-size: .92rem; }
label .hint, .hint { font-weight: 400; color: var(--muted); font-size: .85rem; }
input, select, textarea { font: inherit; padding: .5rem .6rem; border: 1px solid #c8ced8; border-radius: 6px; background: #fff; color: var(--text); width: 100%; }
input[type="checkbox"], input[type="radio"] { width: auto; }
.row { display: flex; gap: .6rem; align-items: end; flex-wrap: wrap; }
.row > * { flex: 1 1 160px; }
.row > .fit { flex: 0 0 auto; }
button, .button { font: inherit; font-weight: 600; padding: .5rem .95rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-text); cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary, .button.secondary { background: #fff; color: var(--text); border-color: #c8ced8; }
button.danger, .button.danger { background: #fff; color: var(--danger); border-color: #e8b4b4; }
details.confirm { display: inline-block; }
details.confirm > summary { list-style: none; }
details.confirm > summary::-webkit-details-marker { display: none; }
.confirm-step { margin-top: .5rem; padding: .7rem; border: 1px solid #efc2c2; background: #fdf0f0; border-radius: 6px; display: grid; gap: .5rem; max-width: 380px; }
.confirm-step p { margin: 0; }
button.link { background: none; border: none; color: var(--accent); padding: 0; font-weight: 500; }
button[disabled] { opacity: .6; cursor: default; }
.alert { padding: .7rem .9rem; border-radius: 6px; margin-bottom: 1rem; border: 1px solid; }
.alert.error { background: #fdf0f0; border-color: #efc2c2; color: #8a1f1f; }
.alert.success { background: #eef8f1; border-color: #b9e0c6; color: #185f36; }
.alert.info { background: #eef2ff; border-color: #c7d3fb; color: #24408f; }
.field-error { color: var(--danger); font-weight: 500; font-size: .85rem; }
table.data { width: 100%; border-collapse: collapse; background: var(--panel); }
table.data th, table.data td { text-align: left; padding: .5rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
table.data th { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); font-weight: 600; }
.table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: var(--radius); }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .8rem; font-weight: 600; background: #eceff3; color: var(--grey); white-space: nowrap; }
.badge.ok { background: #e3f5ea; color: var(--ok); } .badge.warn { background: #fff3dc; color: var(--warn); }
.badge.bad { background: #fde8e8; color: var(--danger); } .badge.info { background: #eceff3; color: var(--grey); }
.secret { font-family: var(--mono); background: #fffbe6; border: 1px dashed #e0c96b; padding: .6rem; border-radius: 6px; word-break: break-all; user-select: all; }
.muted { color: var(--muted); }
.empty { text-align: center; padding: 2.5rem 1rem; color: var(--muted); }
.qr { width: 200px; height: 200px; background: #fff; }
.codes { columns: 2; font-family: var(--mono); }
.htmx-indicator { opacity: 0; transition: opacity .2s; } .htmx-request .htmx-indicator, .htmx-request.htmx-indicator { opacity: 1; }
.progress { position: fixed; top: 0; left: 0; right: 0; height: 3px; background: var(--accent); z-index: 20; }
.tabs { display: flex; gap: .25rem; flex-wrap: wrap; border-bottom: 1px solid var(--line); margin-bottom: 1rem; }
.tabs a { padding: .45rem .7rem; text-decoration: none; color: var(--muted); border-bottom: 2px solid transparent; margin-bottom: -1px; }
.tabs a[aria-current="page"] { color: var(--accent); border-bottom-color: var(--accent); font-weight: 600; }
.filters { display: grid; gap: .5rem; margin-bottom: .5rem; padding: .75rem; }
.filters .controls { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; }
.filters .controls > label { flex: 1 1 88px; min-width: 0; font-size: .78rem; gap: .15rem; color: var(--muted); }
.filters .controls > label:has(input[type="datetime-local"]) { flex: 1 1 190px; }
.filters .controls > .suggest { flex: 1 1 140px; min-width: 0; position: relative; display: grid; }
.filters .controls > .suggest > label { font-size: .78rem; gap: .15rem; color: var(--muted); }
.suggestions { position: absolute; top: 100%; left: 0; z-index: 20; min-width: 18rem; max-width: 28rem; max-height: 20rem; overflow: auto; margin: .15rem 0 0; padding: .25rem 0; list-style: none; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; box-shadow: 0 4px 14px rgba(0, 0, 0, .12); }
.suggestions:empty, .suggest:not(:focus-within) .suggestions { display: none; }
.suggestions a, .suggestions .none { display: block; padding: .3rem .6rem; text-decoration: none; color: var(--text); overflow-wrap: anywhere; }
.suggestions .none { color: var(--muted); }
.suggestions a:hover, .suggestions a:focus { background: #e8edff; }
.suggestions small { color: var(--muted); margin-left: .4rem; }
.suggestions .search-all { border-top: 1px solid var(--line); }
.filters .controls input, .filters .controls select { padding: .3rem .45rem; font-size: .9rem; height: 2.1rem; min-width: 0; max-width: 100%; }
.search { display: flex; gap: .5rem; flex-wrap: wrap; }
.search input[type="search"] { flex: 1 1 280px; }
.search select { flex: 0 0 auto; width: auto; }
.chips { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; margin: .5rem 0; }
.chip { display: inline-flex; align-items: center; gap: .3rem; padding: .15rem .6rem; border-radius: 999px; border: 1px solid var(--line); background: var(--panel); color: var(--text); text-decoration: none; font-size: .85rem; }
.chip[aria-current="true"], .chip.active { background: #e8edff; border-color: #b9c8fb; color: var(--accent); font-weight: 600; }
.chip .x { font-weight: 700; color: var(--muted); }
.toolbar { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; justify-content: space-between; margin: .5rem 0; }
.toolbar .group { display: flex; gap: .4rem; align-items: center; flex-wrap: wrap; }
.counter { font-weight: 600; }
.counter.pending a { font-weight: 400; }
/* While htmx counts, the no-JavaScript link gives way to a note. */
.counter.pending.htmx-request a { display: none; } .counter.pending.htmx-request::after { content: "Counting…"; font-weight: 400; color: var(--muted); }
details.switcher { position: relative; }
details.switcher summary { cursor: pointer; list-style: none; }
details.switcher .menu { position: absolute; right: 0; z-index: 5; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .6rem; min-width: 200px; display: grid; gap: .35rem; }
.detail { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem; }
.drawer:empty { display: none; }
.drawer { position: fixed; top: 0; right: 0; bottom: 0; width: min(640px, 100vw); z-index: 40; overflow-y: auto; background: var(--panel); border-left: 1px solid var(--line); box-shadow: -8px 0 24px rgba(20, 30, 50, .14); }
.drawer .detail { border: 0; border-radius: 0; min-height: 100%; }
.detail-page pre.body { max-height: none; overflow: visible; }
tbody#rows tr[data-event-id] { cursor: pointer; }
tbody#rows tr[data-event-id]:hover td { background: #f7f9fc; }
tbody#rows tr[aria-selected="true"] td { background: #eef2ff; }
tbody#rows tr:focus { outline: 2px solid #9db4ff; outline-offset: -2px; }
.detail dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem .8rem; margin: 0; }
.detail dt { color: var(--muted); font-size: .85rem; }
.detail dd { margin: 0; word-break: break-word; }
pre.body { background: #f3f5f8; border: 1px solid var(--line); border-radius: 6px; padding: .6rem; overflow: auto; max-height: 320px; font-size: .82rem; white-space: pre-wrap; word-break: break-word; }
.changes { font-size: .88rem; }
.changes .arrow { color: var(--muted); padding: 0 .2rem; }
.lifecycle { display: inline-block; margin-left: .35rem; }
.outside-links { display: flex; flex-wrap: wrap; gap: .25rem .75rem; font-size: .875rem; margin-top: .15rem; }
table.data td.nowrap, .nowrap { white-space: nowrap; }
tr.load-more td { text-align: center; }
.field-note { font-size: .85rem; }
@media (max-width: 640px) { .drawer { left: 0; width: 100vw; border-left: 0; } }
.grid-2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 560px), 1fr)); gap: 1rem; }
figure.chart { margin: 0 0 1rem; background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem; }
figure.chart figcaption { font-weight: 600; margin-bottom: .5rem; }
figure.chart { overflow-x: auto; }
.email-stats .figures { display: flex; flex-wrap: wrap; gap: 1.5rem; margin: 0 0 .5rem; }
.email-stats .figures dt { color: var(--muted); font-size: .85rem; }
.email-stats .figures dd { margin: 0; font-size: 1.4rem; font-weight: 600; }
.chart-svg { width: 100%; height: auto; display: block; min-width: 520px; }
.chart-svg[viewBox^="0 0 720"] { min-width: 720px; }
.chart-svg text { font-size: 13px; fill: var(--muted); }
.chart-svg text.axis { font-size: 12px; }
.chart-svg line.grid { stroke: var(--line); }
.chart-svg a:focus rect, .chart-svg a:hover rect { opacity: .8; }
.legend { display: flex; flex-wrap: wrap; gap: .75rem; font-size: .85rem; color: var(--muted); margin-top: .4rem; }
progress { width: 100%; height: .8rem; accent-color: var(--accent); }
dl.detail-list { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; margin: 0; }
dl.detail-list dt { color: var(--muted); }
dl.detail-list dd { margin: 0; word-break: break-word; }
fieldset.destination { border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; display: grid; gap: .6rem; }
fieldset.destination legend { font-weight: 600; padding: 0 .3rem; }
/* A log stream's form shows the fieldset of the chosen destination only (all of them without :has). */
.stream-form:has(select[name="type"] option[value="splunk_hec"]:checked) fieldset.destination:not([data-type="splunk_hec"]),
.stream-form:has(select[name="type"] option[value="datadog"]:checked) fieldset.destination:not([data-type="datadog"]),
.stream-form:has(select[name="type"] option[value="s3"]:checked) fieldset.destination:not([data-type="s3"]),
.stream-form:has(select[name="type"] option[value="https"]:checked) fieldset.destination:not([data-type="https"]) { display: none; }
@media (max-width: 640px) {
  html { font-size: 14px; }
  main { padding: 1rem .75rem 2rem; }
  .who { margin-left: 0; width: 100%; justify-content: space-between; flex-wrap: wrap; }
  .project-name, .user-name { max-width: 110px; }
}
`;
