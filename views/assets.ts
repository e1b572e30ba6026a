import { APP_JS } from "./assets-app";
import { STYLES } from "./styles";

export const HTMX_VERSION = "2.0.11";

/** FNV-1a: a synchronous content hash for the cache-busting URL (not for security). */
function contentHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}

/** Versioned URLs, so assets can be cached for a year and a release changes the URL. */
export const ASSET_URLS = {
  htmx: `/assets/htmx-${HTMX_VERSION}.min.js`,
  styles: `/assets/app-${contentHash(STYLES)}.css`,
  app: `/assets/app-${contentHash(APP_JS)}.js`,
};
