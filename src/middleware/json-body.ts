import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { PayloadTooLargeError, UnsupportedMediaTypeError } from "../lib/errors";

// `application/json` or `application/<x>+json`, with well-formed `; name=value` parameters only: the
// same grammar the OpenAPI routes' own media-type check applies, so `application/json;;;` is a 415
// here rather than a failure further in.
const JSON_TYPE = /^application\/([a-z.-]+\+)?json(;\s*[a-z0-9-]+=[^;]+)*$/i;

async function readLimited(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(maxBytes: number) {
  const size = maxBytes >= 1024 * 1024 ? `${maxBytes / 1024 / 1024} MB` : `${maxBytes / 1024} KB`;
  return new PayloadTooLargeError(`The request body is larger than ${size}.`);
}

/**
 * Reads a JSON body of at most `maxBytes`: 415 for another content type, 413 when larger (by the
 * declared length, or by counting when it is streamed without one).
 */
export function jsonBody(maxBytes: number) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const type = c.req.header("Content-Type") ?? "";
    if (!JSON_TYPE.test(type)) {
      throw new UnsupportedMediaTypeError(
        `Send the body as application/json (got ${type ? `"${type}"` : "no Content-Type"}).`,
      );
    }
    const length = c.req.header("Content-Length");
    const declared = length === undefined ? Number.NaN : Number(length);
    if (declared > maxBytes) throw tooLarge(maxBytes);
    // A declared length frames the body exactly, so it is read in one call; a streamed body is
    // counted as it comes.
    const bytes = Number.isSafeInteger(declared)
      ? new Uint8Array(await c.req.raw.arrayBuffer())
      : await readLimited(c.req.raw.body, maxBytes);
    // The route's zod validator parses this cached text (a parse error there is our 400); the bytes
    // stay as they came, for a customer's signature over the exact body.
    c.req.bodyCache.text = Promise.resolve(new TextDecoder().decode(bytes)) as unknown as string;
    c.req.bodyCache.arrayBuffer = Promise.resolve(bytes.buffer) as unknown as ArrayBuffer;
    await next();
  });
}
