// The bench's fixed corpus for bytes per event: seeded, so every run stores the same events. A mix
// like a SaaS product's log (activity with changes, sign-ins, API requests, payouts, e-mails,
// integration events), each as lean as integrations send them: about 300 bytes of canonical JSON,
// a little more than the events measured before the shards (232 bytes on average).
export function corpus({ count, seed = 1, now = Date.UTC(2026, 10, 30), days = 90 }) {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const int = (a, b) => a + Math.floor(rnd() * (b - a + 1));
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const B32 = "0123456789abcdefghjkmnpqrstvwxyz";
  const ulid = (t) => {
    let out = "";
    for (let i = 9; i >= 0; i--) out += B32[Math.floor(t / 32 ** i) % 32];
    for (let i = 0; i < 16; i++) out += B32[int(0, 31)];
    return out;
  };
  const people = Array.from({ length: 60 }, (_, i) => ({
    type: i < 12 ? "team_member" : "customer",
    id: `u_${100 + i}`,
    name: `${pick(["Jane", "Omar", "Lena", "Ravi", "Mia", "Tom", "Ana", "Ken"])} ${pick(["Doe", "Khan", "Silva", "Berg", "Ito", "Ruiz"])}`,
    email: `user${100 + i}@example.com`,
  }));
  const orgs = Array.from({ length: 40 }, (_, i) => `org_${1000 + i}`);
  const out = [];
  const span = days * 86_400_000;
  for (let i = 0; i < count; i++) {
    const t = now - span + Math.floor((i / count) * span) + int(0, 999);
    const who = pick(people);
    const org = pick(orgs);
    const kind = int(0, 99);
    const e = { id: `evt_${ulid(t)}`, occurred_at: new Date(t).toISOString() };
    if (rnd() < 0.5) e.organization_id = org;
    if (kind < 40) {
      const id = String(int(10000, 99999));
      const st = pick([
        ["pending", "approved"],
        ["approved", "paid"],
        ["pending", "rejected"],
      ]);
      Object.assign(e, {
        category: "activity",
        type: "commission.updated",
        actor: { type: who.type, id: who.id },
        source: "dashboard",
        entity: { type: "commission", id },
        changes: { status: st },
      });
    } else if (kind < 58) {
      const ok = rnd() < 0.85;
      Object.assign(e, {
        category: "auth",
        type: ok ? "user.login" : "user.login_failed",
        status: ok ? "success" : "failure",
        actor: { type: who.type, id: who.id, email: who.email },
        request: { ip: `203.0.113.${int(1, 254)}` },
      });
    } else if (kind < 78) {
      const code = pick([200, 200, 200, 201, 404, 422, 500]);
      const path = pick(["/v1/vouchers", "/v1/customers", "/v1/orders", "/v1/redemptions"]);
      const method = pick(["GET", "POST"]);
      Object.assign(e, {
        category: "api_request",
        type: `${method} ${path}`,
        status: code < 400 ? "success" : "failure",
        actor: { type: "api_key", id: "key_live" },
        source: "api",
        request: { id: `req_${ulid(t).slice(10)}`, method, path, status_code: code },
      });
    } else if (kind < 88) {
      const id = `po_${ulid(t).slice(14)}`;
      Object.assign(e, {
        category: "payment",
        type: "payout.updated",
        status: pick(["processing", "transit", "complete", "failed"]),
        source: "system",
        entity: { type: "payout", id },
        metadata: { payout_source: pick(["paypal", "wise", "stripe"]) },
      });
    } else if (kind < 96) {
      Object.assign(e, {
        category: "email",
        type: "email.sent",
        status: pick(["delivered", "delivered", "bounced", "pending"]),
        source: "system",
        metadata: { to: who.email },
      });
    } else {
      Object.assign(e, {
        category: "integration",
        type: "conversion",
        status: pick(["success", "failure", "info"]),
        source: "api",
        job_id: `jid_${int(1, 500)}`,
        summary: `Conversion from ${pick(["shopify", "stripe", "hubspot"])}`,
      });
    }
    out.push(e);
  }
  return out;
}
