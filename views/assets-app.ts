// The dashboard's only script of our own: local time display. Everything else is htmx.
export const APP_JS = `
(function () {
  var fmt = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, timeZoneName: "short" });
  function localize(root) {
    var local = document.body.getAttribute("data-time") === "local";
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      if (el.hasAttribute("data-localized")) return;
      var text = fmt.format(new Date(el.getAttribute("datetime")));
      var others = [el.getAttribute("data-project"), el.getAttribute("data-utc")];
      if (local) { el.textContent = text; el.title = others.join("\\n"); }
      else { el.title = el.title + "\\n" + text + " (your time)"; }
      el.setAttribute("data-localized", "");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { localize(document); });
  document.addEventListener("htmx:load", function (e) { localize(e.target); });
})();
`;
