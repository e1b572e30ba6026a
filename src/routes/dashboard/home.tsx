import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { Home } from "../../../views/pages/Home";

export const homePages = new Hono<AppEnv>().get("/", (c) => c.html(<Home apiDocsUrl="/v1/openapi.json" />));
