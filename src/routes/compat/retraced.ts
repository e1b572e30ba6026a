import { type Context, Hono } from "hono";
import { z } from "zod";
import type { KeyEnv } from "../../env";
import { AppError, NotFoundError, type ValidationError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { keyAuth, requireScope } from "../../middleware/api-auth";
import { jsonBody } from "../../middleware/json-body";
import {
  fromRetraced,
  RETRACED_FIELDS,
  RetracedEvent,
  retracedHash,
  retracedProblems,
} from "../../services/compat/retraced";
import { inTheirTerms } from "../../services/compat/validate";
import { recordEvents } from "../../services/ingest/record";
import { requestSignature, SIGNATURE_HEADER } from "../../services/integrity/client-signatures";
import { readBody } from "./body";

// Retraced publisher compatibility: `Authorization: token=<key>` (or `Token token=<key>`), the
// project in the path, answers {id, hash} with Retraced's own hash.

type C = Context<KeyEnv>;

const retracedKey = (header: string) => /^(?:Token\s+)?token=(\S+)\s*$/i.exec(header)?.[1];

/** Retraced answers an invalid event with a 400. */
const invalid = (error: ValidationError) =>
  new AppError(400, "invalid_event", "Bad request", error.message, error.errors);

function checkProject(c: C) {
  // Another project's id is a 404, as if it did not exist.
  if (c.req.param("projectId") !== c.var.ctx.project.id) throw new NotFoundError("No such project.");
}

function checkRules(events: RetracedEvent[], bulk: boolean) {
  const problems = events.flatMap((e, i) =>
    retracedProblems(e).map((message) => ({ path: bulk ? `events[${i}]` : "(body)", message })),
  );
  if (problems.length)
    throw new AppError(
      400,
      "invalid_event",
      "Bad request",
      problems.map((p) => `${p.path}: ${p.message}`).join("; "),
      problems,
    );
}

async function store(c: C, events: RetracedEvent[], bulk: boolean) {
  const ids = events.map(() => newId("evt"));
  const inputs = events.map((e, i) => fromRetraced(e, ids[i] as string, bulk ? `events[${i}]` : ""));
  const signature = await requestSignature(c.var.ctx, c.req.header(SIGNATURE_HEADER), await c.req.arrayBuffer());
  try {
    await recordEvents(c.var.ctx, inputs, { batch: bulk, signature });
  } catch (error) {
    throw inTheirTerms(error, RETRACED_FIELDS);
  }
  return Promise.all(
    events.map(async (e, i) => ({ id: ids[i] as string, hash: await retracedHash(e, ids[i] as string) })),
  );
}

export const retracedApi = new Hono<KeyEnv>()
  .onError((error, c) => {
    const status = error instanceof AppError ? (error.status === 422 ? 400 : error.status) : 500;
    if (status === 500) console.error(`[${c.var.requestId}] retraced compat error`, error);
    const body =
      error instanceof AppError ? { error: error.message, errors: error.errors } : { error: "Internal error" };
    return c.json(body, status as 400, {
      ...(error instanceof AppError ? error.headers : {}),
      "X-Request-ID": c.var.requestId,
    });
  })
  .use(keyAuth(retracedKey))
  .post("/project/:projectId/event", requireScope("ingest"), jsonBody(256 * 1024), async (c) => {
    checkProject(c);
    const event = await readBody(c, RetracedEvent, invalid);
    checkRules([event], false);
    const [answer] = await store(c, [event], false);
    return c.json(answer, 201);
  })
  .post("/project/:projectId/event/bulk", requireScope("ingest"), jsonBody(5 * 1024 * 1024), async (c) => {
    checkProject(c);
    const { events } = await readBody(
      c,
      z.object({ events: z.array(RetracedEvent).min(1).max(50, "at most 50 events per bulk request") }),
      invalid,
    );
    checkRules(events, true);
    return c.json(await store(c, events, true), 201);
  });
