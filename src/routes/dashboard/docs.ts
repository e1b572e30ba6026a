import { Hono } from "hono";
import { NONCE, secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../../env";
import { SCALAR_INTEGRITY, SCALAR_URL } from "../../lib/scalar";

// The API reference at /docs (README "API reference"): Scalar's API Reference renders the OpenAPI
// document the API serves (/v1/openapi.json, generated from the zod schemas), so there is no second
// copy to keep. Scalar's standalone bundle is 4.3 MB, too much to carry inside the Worker, so it
// comes from jsDelivr at an exact version with Subresource Integrity: a changed file is refused by
// the browser. Its own CSP, for this page only: scripts by nonce (the bundle and our few lines),
// inline styles (Scalar writes its own style elements), no third-party fonts (withDefaultFonts off), and
// requests to this origin only, so "try it" calls go to this API and nowhere else.

const INIT_JS = `Scalar.createApiReference("#api-reference", {
  url: "/v1/openapi.json",
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  metaData: { title: "Trailbook API reference" },
});
`;

/** FNV-1a, for the init script's cache-busting URL (not for security). */
function contentHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}

export const DOCS_INIT_URL = `/docs/init-${contentHash(INIT_JS)}.js`;

const docsHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: [NONCE, "'strict-dynamic'"],
    // Scalar adds theme style elements of its own without the nonce, whose content varies: inline
    // styles are allowed on this page alone (they cannot run script, and it shows no user data).
    styleSrcElem: ["'self'", "'unsafe-inline'"],
    styleSrcAttr: ["'unsafe-inline'"],
    fontSrc: ["'self'", "data:"],
    imgSrc: ["'self'", "data:"],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    objectSrc: ["'none'"],
  },
  referrerPolicy: "same-origin",
  crossOriginEmbedderPolicy: false,
});

function page(nonce: string | undefined) {
  const n = nonce ?? "";
  // Every value here is a constant of the code or the base64 nonce: nothing to escape.
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/><title>API reference · Trailbook</title><meta property="csp-nonce" content="${n}"/></head><body><div id="api-reference"><noscript><p>The reference needs JavaScript. The OpenAPI document itself is at <a href="/v1/openapi.json">/v1/openapi.json</a>.</p></noscript></div><script src="${SCALAR_URL}" integrity="${SCALAR_INTEGRITY}" crossorigin="anonymous" nonce="${n}" defer></script><script src="${DOCS_INIT_URL}" nonce="${n}" defer></script></body></html>`;
}

export const docsPages = new Hono<AppEnv>()
  .get("/docs", docsHeaders, (c) => c.html(page(c.get("secureHeadersNonce"))))
  .get(DOCS_INIT_URL, (c) =>
    c.body(INIT_JS, 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "public, max-age=31536000, immutable",
      "X-Content-Type-Options": "nosniff",
    }),
  );
