// The dashboard's only script of our own (served with the CSP nonce): the viewer's local time, the
// filter bar applying on change, and the explorer's drawer and keys. Every page works without it;
// everything else is htmx.
export const APP_JS = `
(function () {
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "your zone";
  var fmt = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  function wall(date) {
    var p = {};
    fmt.formatToParts(date).forEach(function (x) { p[x.type] = x.value; });
    return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute + ":" + p.second;
  }
  function all(root, selector) {
    var found = Array.prototype.slice.call(root.querySelectorAll ? root.querySelectorAll(selector) : []);
    if (root.matches && root.matches(selector)) found.unshift(root);
    return found;
  }
  // Each <time> says its own mode, so rows added by "Load more" or Live agree with the page.
  function localize(root) {
    all(root, "time[datetime]").forEach(function (el) {
      if (el.hasAttribute("data-localized")) return;
      var text = wall(new Date(el.getAttribute("datetime")));
      if (el.getAttribute("data-mode") === "local") el.textContent = text;
      el.title = [el.getAttribute("data-project"), el.getAttribute("data-utc"), text + " " + zone + " (yours)"].join("\\n");
      el.setAttribute("data-localized", "");
    });
    all(root, "[data-local-zone]").forEach(function (el) {
      if (el.hasAttribute("data-zone-named")) return;
      el.textContent = el.textContent.replace(/Local$/, "Local (" + zone + ")");
      el.setAttribute("data-zone-named", "");
    });
  }

  // The filter bar applies on change; dates apply once the field is left, not at every digit.
  function filterForm(el) { return el && el.closest && el.closest("form[data-apply-on-change]"); }
  function apply(form) { if (form.requestSubmit) form.requestSubmit(); else form.submit(); }
  document.addEventListener("change", function (e) {
    var el = e.target, form = filterForm(el);
    if (!form) return;
    if (el.name === "range" && el.value !== "custom") {
      all(form, "input[name=from], input[name=to]").forEach(function (x) { x.value = ""; });
    }
    if (el.name === "from" || el.name === "to") {
      var range = form.querySelector("select[name=range]");
      if (range) range.value = "custom";
      // Typed in the field: applied when the field is left (Tab moves between its parts).
      if (document.activeElement === el) { el.setAttribute("data-dirty", ""); return; }
      apply(form);
      return;
    }
    if (el.type === "search" || el.type === "text") return;
    apply(form);
  });
  document.addEventListener("focusout", function (e) {
    var el = e.target, form = filterForm(el);
    if (form && el.hasAttribute && el.hasAttribute("data-dirty")) { el.removeAttribute("data-dirty"); apply(form); }
  });

  // The explorer: a row opens its detail in the drawer; Escape or Close shuts it; j/k move.
  var opener = null;
  function drawer() { return document.getElementById("detail"); }
  function rows() { return all(document, "tbody#rows tr[data-event-id]"); }
  function open(row) {
    var link = row && row.querySelector("a[data-detail]");
    if (!link) return;
    opener = row;
    rows().forEach(function (r) { r.removeAttribute("aria-selected"); });
    row.setAttribute("aria-selected", "true");
    link.click();
  }
  function close() {
    var d = drawer();
    if (!d || !d.querySelector(".detail")) return false;
    var back = d.querySelector("[data-close]");
    d.innerHTML = "";
    document.body.classList.remove("drawer-open");
    if (back) history.pushState({}, "", back.getAttribute("href"));
    if (opener && document.contains(opener)) opener.focus();
    return true;
  }
  function focusRow(row) {
    if (!row) return;
    rows().forEach(function (r) { r.setAttribute("tabindex", "-1"); });
    row.setAttribute("tabindex", "0");
    row.focus();
    if (drawer() && drawer().querySelector(".detail")) open(row);
  }
  document.addEventListener("click", function (e) {
    var closer = e.target.closest && e.target.closest("#detail [data-close]");
    if (closer) { e.preventDefault(); close(); return; }
    var row = e.target.closest && e.target.closest("tbody#rows tr[data-event-id]");
    if (!row || e.target.closest("a, button, input, select, summary, label")) return;
    open(row);
  });
  // The actor and organisation boxes' suggestions: arrows move between the box and its links,
  // Escape goes back to the box.
  document.addEventListener("keydown", function (e) {
    var t = e.target, box = t.closest && t.closest(".suggest");
    if (!box || e.ctrlKey || e.metaKey || e.altKey) return;
    var input = box.querySelector("input"), links = all(box, ".suggestions a"), at = links.indexOf(t);
    if (e.key === "Escape" && at >= 0) { e.preventDefault(); e.stopImmediatePropagation(); input.focus(); return; }
    if ((e.key !== "ArrowDown" && e.key !== "ArrowUp") || !links.length) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    if (e.key === "ArrowDown") links[Math.min(links.length - 1, at + 1)].focus();
    else if (at <= 0) input.focus();
    else links[at - 1].focus();
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && close()) { e.preventDefault(); return; }
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey || (t.closest && t.closest("input, select, textarea, [contenteditable], #detail"))) return;
    var list = rows();
    if (!list.length) return;
    var current = t.closest ? t.closest("tbody#rows tr[data-event-id]") : null;
    var at = current ? list.indexOf(current) : -1;
    if (e.key === "j" || (e.key === "ArrowDown" && current)) { e.preventDefault(); focusRow(list[Math.min(list.length - 1, at + 1)]); }
    else if (e.key === "k" || (e.key === "ArrowUp" && current)) { e.preventDefault(); focusRow(list[Math.max(0, at - 1)]); }
    else if (e.key === "Enter" && current) { e.preventDefault(); open(current); }
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    var d = drawer();
    if (!d || e.detail.target !== d) return;
    var panel = d.querySelector(".detail");
    if (!panel) return;
    document.body.classList.add("drawer-open");
    var heading = panel.querySelector("h2");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  });

  document.addEventListener("DOMContentLoaded", function () { localize(document); });
  document.addEventListener("htmx:load", function (e) { localize(e.target); });
})();
`;
