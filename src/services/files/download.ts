import { AppError, GoneError } from "../../lib/errors";

// Downloads of stored files (exports, archives), for the API, signed links and the dashboard alike.

type Validators = { etag: string; modified: number };

/** The entity tags of an If-Match / If-None-Match value; members that are not entity tags are skipped. */
function entityTags(value: string): { any: boolean; tags: { weak: boolean; opaque: string }[] } {
  if (value.trim() === "*") return { any: true, tags: [] };
  const tags = [...value.matchAll(/(W\/)?"([^"]*)"/g)].map((m) => ({ weak: Boolean(m[1]), opaque: m[2] ?? "" }));
  return { any: false, tags };
}

/** An HTTP date to the second, or undefined when the value is not one (and is then ignored). */
function httpDate(value: string | null): number | undefined {
  if (value === null) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * RFC 9110 §13.2.2, in its order: a failed If-Match or If-Unmodified-Since is a 412; a matching
 * If-None-Match or an unchanged If-Modified-Since is a 304. A malformed If-None-Match names no tag,
 * so it matches nothing and the file is served.
 */
function preconditions(headers: Headers, file: Validators): "pass" | 412 | 304 {
  const ifMatch = headers.get("If-Match");
  if (ifMatch !== null) {
    const { any, tags } = entityTags(ifMatch);
    if (!any && !tags.some((t) => !t.weak && t.opaque === file.etag)) return 412;
  } else {
    const since = httpDate(headers.get("If-Unmodified-Since"));
    if (since !== undefined && file.modified > since) return 412;
  }
  const ifNoneMatch = headers.get("If-None-Match");
  if (ifNoneMatch !== null) {
    const { any, tags } = entityTags(ifNoneMatch);
    if (any || tags.some((t) => t.opaque === file.etag)) return 304;
  } else {
    const since = httpDate(headers.get("If-Modified-Since"));
    if (since !== undefined && file.modified <= since) return 304;
  }
  return "pass";
}

/**
 * The one byte range asked for (RFC 9110 §14), "unsatisfiable", or undefined to send the whole
 * file: without a Range, with one that is not a single well-formed `bytes` range (which a server
 * may ignore), or with an If-Range the file no longer matches.
 */
function byteRange(headers: Headers, file: Validators & { size: number }) {
  const range = headers.get("Range");
  if (range === null) return undefined;
  const ifRange = headers.get("If-Range");
  if (ifRange !== null) {
    const [tag] = entityTags(ifRange).tags;
    const matches = tag ? !tag.weak && tag.opaque === file.etag : httpDate(ifRange) === file.modified;
    if (!matches) return undefined;
  }
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(range);
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  const { size } = file;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    const offset = Math.max(0, size - suffix);
    return { offset, length: size - offset };
  }
  const first = Number(m[1]);
  const last = m[2] === "" ? Number.POSITIVE_INFINITY : Number(m[2]);
  if (last < first) return undefined;
  if (first >= size) return "unsatisfiable";
  return { offset: first, length: Math.min(last, size - 1) - first + 1 };
}

/**
 * Serves a stored file from R2 with its validators, answering conditional requests (304, 412) and
 * single byte ranges (206, or 416 with `Content-Range: bytes *\/size`) as RFC 9110 says.
 */
export async function serveFile(
  files: R2Bucket,
  file: { key: string; filename: string },
  request: Request,
): Promise<Response> {
  const { key, filename } = file;
  const stored = await files.head(key);
  if (!stored) throw new GoneError("The file is no longer stored.");
  // HTTP dates have whole seconds, so the file's time is compared at that precision.
  const validators = {
    etag: stored.etag,
    modified: Math.floor(stored.uploaded.getTime() / 1000) * 1000,
    size: stored.size,
  };
  const headers = new Headers();
  stored.writeHttpMetadata(headers);
  headers.set("ETag", stored.httpEtag);
  headers.set("Last-Modified", new Date(validators.modified).toUTCString());
  headers.set("Accept-Ranges", "bytes");
  headers.set("Content-Disposition", `attachment; filename="${filename}"`);
  const verdict = preconditions(request.headers, validators);
  if (verdict === 412)
    throw new AppError(
      412,
      "precondition-failed",
      "Precondition failed",
      "The file does not match If-Match or If-Unmodified-Since.",
    );
  if (verdict === 304) return new Response(null, { status: 304, headers });
  const range = byteRange(request.headers, validators);
  if (range === "unsatisfiable")
    throw new AppError(
      416,
      "range-not-satisfiable",
      "Range not satisfiable",
      `The file has ${validators.size} bytes; the range asked for starts past its end.`,
      [],
      { "Content-Range": `bytes */${validators.size}` },
    );
  const object = await files.get(
    key,
    range ? { range, onlyIf: { etagMatches: validators.etag } } : { onlyIf: { etagMatches: validators.etag } },
  );
  if (!object || !("body" in object)) throw new GoneError("The file is no longer stored.");
  if (range) {
    headers.set("Content-Range", `bytes ${range.offset}-${range.offset + range.length - 1}/${validators.size}`);
    headers.set("Content-Length", String(range.length));
    return new Response(object.body, { status: 206, headers });
  }
  headers.set("Content-Length", String(validators.size));
  return new Response(object.body, { status: 200, headers });
}
