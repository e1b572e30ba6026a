import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

/** One request that reached the receiver with a valid signature. */
export type Delivery = { webhookId: string; type: string; eventId: string; status: number };

/**
 * A webhook endpoint on localhost that checks every Standard Webhooks signature and records what
 * came. It answers slowly, so deliveries pile up behind each other, and refuses the first attempt of
 * some sendouts with a 503, so they wait in `retry` for their delayed message.
 */
export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  /** Requests whose signature did not verify (never expected). */
  readonly rejected: string[] = [];
  secret = "";
  private readonly seen = new Set<string>();
  private readonly options: { delayMs: number; refuseFirst: (webhookId: string) => boolean };
  private server: Server | undefined;

  constructor(options: { delayMs: number; refuseFirst: (webhookId: string) => boolean }) {
    this.options = options;
  }

  async start(): Promise<string> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (c: Buffer) => chunks.push(c));
      request.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const headers = {
          "webhook-id": String(request.headers["webhook-id"] ?? ""),
          "webhook-timestamp": String(request.headers["webhook-timestamp"] ?? ""),
          "webhook-signature": String(request.headers["webhook-signature"] ?? ""),
        };
        let payload: { type: string; data: { id: string } };
        try {
          payload = new Webhook(this.secret).verify(body, headers) as typeof payload;
        } catch (error) {
          this.rejected.push(`${headers["webhook-id"]}: ${error instanceof Error ? error.message : String(error)}`);
          response.writeHead(400).end("bad signature");
          return;
        }
        const id = headers["webhook-id"];
        const status = !this.seen.has(id) && this.options.refuseFirst(id) ? 503 : 200;
        this.seen.add(id);
        setTimeout(() => {
          this.deliveries.push({ webhookId: id, type: payload.type, eventId: payload.data.id, status });
          response.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "busy");
        }, this.options.delayMs);
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  }

  /** Every signed request, refused or accepted: event id → the distinct webhook-ids it came with. */
  idsByEvent(): Map<string, Set<string>> {
    const byEvent = new Map<string, Set<string>>();
    for (const d of this.deliveries) {
      const ids = byEvent.get(d.eventId) ?? new Set<string>();
      ids.add(d.webhookId);
      byEvent.set(d.eventId, ids);
    }
    return byEvent;
  }

  /** Events with at least one accepted (2xx) delivery. */
  acceptedEvents(): Set<string> {
    return new Set(this.deliveries.filter((d) => d.status === 200).map((d) => d.eventId));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }
}
