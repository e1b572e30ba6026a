import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { apiKeyAuth, requireScope } from "../../middleware/api-auth";
import {
  decodeFeedCursor,
  encodeFeedCursor,
  FEED_START,
  type FeedPosition,
  readFeed,
} from "../../services/events/feed";
import { compileFilters, EventFilters } from "../../services/events/filters";
import { toStoredEvent } from "../../services/events/query";
import { StoredEvent } from "../../services/events/schema";
import { apiRouter, authProblems, bearerAuth, invalidQueryProblem, json } from "./openapi";

const FeedParams = EventFilters.extend({
  limit: z.coerce.number().int().min(1).max(500).default(100).describe("1–500, default 100."),
  cursor: z
    .string()
    .max(500)
    .optional()
    .describe("`next_cursor` of the previous page; without it the feed starts at the oldest stored event."),
});

const FeedPage = z
  .object({
    data: z.array(StoredEvent),
    next_cursor: z
      .string()
      .describe("Store it and pass it as `cursor` next time; the same cursor again when the page is empty."),
    has_more: z.boolean().describe("More events are available now: ask again at once instead of waiting."),
  })
  .meta({ id: "EventFeedPage" });

export const feedApi = apiRouter();
feedApi.use(apiKeyAuth);

feedApi.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["Events"],
    summary: "The events feed: events in the order they were stored, for pollers (SIEMs)",
    description:
      "Ordered by (received_at, id), not by occurred_at: an event that arrives late with an old occurred_at comes after everything received before it. Only events received at least the settle time ago (60 s) are served, so a position once served never gains an event before it. A poller that stores `next_cursor` sees every event exactly once.",
    security: bearerAuth,
    middleware: [requireScope("read")] as const,
    request: { query: FeedParams },
    responses: {
      200: {
        ...json(FeedPage, 'A page of the feed; `Link: <…>; rel="next"` names the next page.'),
        headers: z.object({ Link: z.string().describe('`<url>; rel="next"`') }),
      },
      ...authProblems,
      ...invalidQueryProblem,
    },
  }),
  async (c) => {
    const { limit, cursor, ...filters } = c.req.valid("query");
    const { ctx } = c.var;
    const after: FeedPosition = cursor ? decodeFeedCursor(cursor) : FEED_START;
    const query = compileFilters(filters, ctx.project.timezone);
    const page = await readFeed(ctx, query, { after, limit }, Date.now(), ctx.config.FEED_SETTLE_SECONDS * 1000);
    const nextCursor = encodeFeedCursor(page.next);
    const next = new URL(c.req.url);
    next.searchParams.set("cursor", nextCursor);
    c.header("Link", `<${next.toString()}>; rel="next"`);
    return c.json({ data: page.rows.map(toStoredEvent), next_cursor: nextCursor, has_more: page.more }, 200);
  },
);
