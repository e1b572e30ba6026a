import { Hono } from "hono";
import htmx from "htmx.org/dist/htmx.min.js";
import { ASSET_URLS } from "../../../views/assets";
import { APP_JS } from "../../../views/assets-app";
import { STYLES } from "../../../views/styles";
import type { AppEnv } from "../../env";

const YEAR = "public, max-age=31536000, immutable";

export const assetRoutes = new Hono<AppEnv>()
  .get(ASSET_URLS.htmx, (c) =>
    c.body(htmx, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": YEAR }),
  )
  .get(ASSET_URLS.app, (c) =>
    c.body(APP_JS, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": YEAR }),
  )
  .get(ASSET_URLS.styles, (c) =>
    c.body(STYLES, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": YEAR }),
  );
