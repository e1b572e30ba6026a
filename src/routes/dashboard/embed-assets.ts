// The embeddable viewer's own scripts and look (README "Embeddable viewer"). The page's CSP allows
// no inline script or style, so each is a file the Worker serves.

/**
 * `<trailbook-viewer src="…embed URL…">`: one tag on the vendor's page. It frames the URL and
 * sets the frame's height from the messages the framed page posts, accepting them only from that
 * frame's window and the URL's origin.
 */
export const VIEWER_ELEMENT_JS = `(() => {
  if (!window.customElements || customElements.get("trailbook-viewer")) return;
  class TrailbookViewer extends HTMLElement {
    static get observedAttributes() { return ["src"]; }
    connectedCallback() {
      if (!this.frame) {
        const frame = document.createElement("iframe");
        frame.title = this.getAttribute("title") || "Audit log";
        frame.style.width = "100%";
        frame.style.border = "0";
        frame.style.display = "block";
        frame.style.minHeight = (Number(this.getAttribute("min-height")) || 480) + "px";
        this.frame = frame;
        this.onMessage = (event) => {
          if (!this.frame || event.source !== this.frame.contentWindow || event.origin !== this.origin) return;
          const data = event.data;
          if (!data || data.type !== "trailbook:resize") return;
          const height = Number(data.height);
          if (Number.isFinite(height) && height > 0 && height < 100000) this.frame.style.height = Math.ceil(height) + "px";
        };
        window.addEventListener("message", this.onMessage);
        this.appendChild(frame);
      }
      this.load();
    }
    disconnectedCallback() {
      window.removeEventListener("message", this.onMessage);
      if (this.frame) this.frame.remove();
      this.frame = undefined;
    }
    attributeChangedCallback() { if (this.frame) this.load(); }
    load() {
      const src = this.getAttribute("src");
      if (!src) return;
      const url = new URL(src, location.href);
      if (url.protocol !== "https:" && url.protocol !== "http:") return;
      this.origin = url.origin;
      if (this.frame.src !== url.href) this.frame.src = url.href;
    }
  }
  customElements.define("trailbook-viewer", TrailbookViewer);
})();
`;

/**
 * Inside the frame: posts the page's height to the parent, addressed to each allowed origin only
 * (a message to another origin is dropped by the browser), whenever the content changes size.
 */
export const EMBED_FRAME_JS = `(() => {
  if (window.parent === window) return;
  const origins = (document.body.dataset.parentOrigins || "").split(" ").filter(Boolean);
  if (origins.length === 0) return;
  let last = 0;
  const send = () => {
    const style = getComputedStyle(document.body);
    const height = Math.ceil(document.body.getBoundingClientRect().height + parseFloat(style.marginTop) + parseFloat(style.marginBottom));
    if (height === last) return;
    last = height;
    for (const origin of origins) window.parent.postMessage({ type: "trailbook:resize", height }, origin);
  };
  new ResizeObserver(send).observe(document.body);
  document.addEventListener("htmx:afterSettle", send);
  send();
})();
`;

/** The look: the accent (checked to be `#rrggbb` where it is set), dark mode and compact density. */
export function embedThemeCss(accent: string | undefined): string {
  const colour = accent && /^#[0-9a-fA-F]{6}$/.test(accent) ? `:root { --accent: ${accent}; }\n` : "";
  return `${colour}body.embed { min-height: 0; }
.embedbar { display: flex; justify-content: flex-end; padding: .4rem 1rem 0; }
body.theme-dark { --bg: #12151b; --panel: #1b2029; --text: #e6e9ef; --muted: #9aa3b2; --line: #2c3340; background: var(--bg); color: var(--text); }
body.theme-dark .chip.active, body.theme-dark .chip[aria-current="true"] { background: #25304a; border-color: #3b4a6e; }
body.theme-dark input, body.theme-dark select, body.theme-dark textarea { background: var(--panel); color: var(--text); border-color: var(--line); }
body.density-compact { font-size: 14px; }
body.density-compact td, body.density-compact th { padding-top: .2rem; padding-bottom: .2rem; }
body.density-compact main { padding-top: .5rem; }
`;
}
