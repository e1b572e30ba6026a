import { and, eq, sql } from "drizzle-orm";
import { apiKeys } from "../../db/schema";
import { eventSignatures, events } from "../../db/shard/schema";
import { SignatureError } from "../../lib/errors";
import { fromBase64url, toBase64url, verifyBytes } from "../../lib/signing";
import type { ProjectContext } from "../context";

// Customer-side signatures (README "Customer-side signatures"): an API key may carry the customer's
// Ed25519 public key; every event request made with it must then carry
// `X-Trailbook-Signature: ed25519=<base64 signature of the exact body bytes>`, which is verified
// before anything is stored and kept beside each event the request stored.

export const SIGNATURE_HEADER = "X-Trailbook-Signature";

/** A verified signature of the request, for recordEvents to keep with the events it stores. */
export type RequestSignature = { keyId: string; signature: string };

const HEADER = /^\s*ed25519=([A-Za-z0-9+/_-]+={0,2})\s*$/i;

function decodeSignature(text: string): Uint8Array | undefined {
  try {
    const bytes = fromBase64url(text.replace(/=+$/, ""));
    return bytes.length === 64 ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The request's signature when the context's API key has a public key: verified over `body` as it
 * arrived, or a 422 `signature` problem (missing, malformed or not by that key). Undefined for
 * any other key, whose requests need no signature (one sent anyway is not checked or kept).
 */
export async function requestSignature(
  ctx: ProjectContext,
  header: string | undefined,
  body: ArrayBuffer,
): Promise<RequestSignature | undefined> {
  if (ctx.actor.kind !== "key") return undefined;
  const { key } = ctx.actor;
  if (!key.publicKey) return undefined;
  if (!header)
    throw new SignatureError(
      `This API key signs what it posts: send ${SIGNATURE_HEADER}: ed25519=<base64 Ed25519 signature of the exact request body>. Nothing was stored.`,
    );
  const encoded = HEADER.exec(header)?.[1];
  const signature = encoded === undefined ? undefined : decodeSignature(encoded);
  if (!signature)
    throw new SignatureError(
      `${SIGNATURE_HEADER} must be ed25519= followed by a base64 Ed25519 signature (64 bytes). Nothing was stored.`,
    );
  if (!(await verifyBytes(key.publicKey, new Uint8Array(body), signature)))
    throw new SignatureError(
      `${SIGNATURE_HEADER} is not a signature of this request's body by the public key of this API key. Nothing was stored.`,
    );
  return { keyId: key.id, signature: toBase64url(signature) };
}

/** A key that signs what it posts sends events only where its signature can be checked. */
export function refuseUnsignedUpload(ctx: ProjectContext): void {
  if (ctx.actor.kind === "key" && ctx.actor.key.publicKey)
    throw new SignatureError(
      "This API key signs what it posts, and an uploaded file cannot be checked against a signature: post the events to /v1/events/batch with their signature, or import with a key without a public key.",
    );
}

export type ClientSignatureView = {
  algorithm: "Ed25519";
  key_id: string;
  public_key: string | null;
  signature: string;
};

/** The customer's signature kept with one of the project's events, with the key's public key. */
export async function clientSignatureOf(ctx: ProjectContext, eventId: string): Promise<ClientSignatureView | null> {
  const { db, pn } = ctx.events;
  const [row] = await db
    .select({ keyId: eventSignatures.keyId, signature: eventSignatures.signature })
    .from(eventSignatures)
    .innerJoin(events, and(eq(events.seq, eventSignatures.seq), eq(events.pn, pn)))
    .where(and(eq(eventSignatures.pn, pn), sql`${events.id} = ${eventId}`))
    .limit(1);
  if (!row) return null;
  const [key] = await ctx.db
    .select({ publicKey: apiKeys.publicKey })
    .from(apiKeys)
    .where(and(eq(apiKeys.id, row.keyId), eq(apiKeys.projectId, ctx.project.id)))
    .limit(1);
  return { algorithm: "Ed25519", key_id: row.keyId, public_key: key?.publicKey ?? null, signature: row.signature };
}
