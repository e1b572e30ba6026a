// Realistic demo events for `npm start`: every category of DESIGN §2, over the last 90 days, with
// changes, requests with bodies and status codes, failures, lifecycle actions, several actors and
// organisations. Deterministic for a given (now, seed), so a re-run sends the same events and the
// API answers them as duplicates.

const DAY = 24 * 60 * 60 * 1000;

const TEAM = [
  { type: "team_member", id: "u_42", name: "Jane Doe", email: "jane@example.com" },
  { type: "team_member", id: "u_7", name: "Bob Stone", email: "bob@example.com" },
  { type: "team_member", id: "u_19", name: "Amira Haddad", email: "amira@example.com" },
  { type: "team_member", id: "u_23", name: "Lukas Meyer", email: "lukas@example.com" },
];
const CUSTOMERS = [
  { type: "customer", id: "c_1001", name: "Sofia Rossi", email: "sofia.rossi@example.org" },
  { type: "customer", id: "c_1002", name: "Noah Kim", email: "noah.kim@example.org" },
  { type: "customer", id: "c_1003", name: "Emma Dubois", email: "emma.dubois@example.org" },
  { type: "customer", id: "c_1004", name: "Liam Walsh", email: "liam.walsh@example.org" },
];
const MACHINES = [
  { type: "api_key", id: "key_live_backend", name: "Backend (live)" },
  { type: "integration", id: "int_hubspot", name: "HubSpot sync" },
  { type: "system", id: "system", name: "Trailbook" },
];
const ORGS = ["org_acme", "org_globex", "org_initech", "org_umbrella", "org_hooli", "org_stark"];
const PROMOTERS = ["Acme Ltd", "Globex Partners", "Initech Affiliates", "Umbrella Media", "Hooli Reviews", "Stark Deals"];
const IPS = ["203.0.113.7", "198.51.100.23", "192.0.2.41", "203.0.113.88", "198.51.100.5"];
const AGENTS = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36",
  "trailbook-node/1.4.0",
  "curl/8.5.0",
];
const API_ENDPOINTS = [
  { method: "GET", path: "/v1/vouchers", controller: "vouchers", action: "list" },
  { method: "POST", path: "/v1/vouchers", controller: "vouchers", action: "create" },
  { method: "POST", path: "/v1/redemptions", controller: "redemptions", action: "create" },
  { method: "POST", path: "/v1/validations", controller: "validations", action: "validate" },
  { method: "GET", path: "/v1/customers", controller: "customers", action: "list" },
  { method: "PUT", path: "/v1/customers", controller: "customers", action: "upsert" },
  { method: "DELETE", path: "/v1/vouchers", controller: "vouchers", action: "delete" },
];
const API_FAILURES = [
  [400, "Invalid payload: 'code' is required"],
  [401, "Missing or invalid API key"],
  [404, "Voucher not found"],
  [422, "Voucher expired"],
  [429, "Too many requests"],
  [500, "Upstream timeout"],
];
const INTEGRATION_FAILURES = ["Missing referral code", "Unknown promoter id", "Duplicate sale reference", "Signature mismatch", "Customer e-mail is invalid"];
const CAMPAIGNS = ["Spring", "Summer referral", "Black Friday", "Loyalty Gold", "Partner launch"];
const TEMPLATES = ["welcome", "reward_earned", "payout_sent", "password_reset", "monthly_summary"];

/** mulberry32: a small, fast, seedable PRNG. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function demoEvents({ now = Date.now(), count = 6000, seed = 42 } = {}) {
  const random = prng(seed);
  const int = (min, max) => min + Math.floor(random() * (max - min + 1));
  const pick = (list) => list[Math.floor(random() * list.length)];
  const chance = (p) => random() < p;
  const hex = (n) => Array.from({ length: n }, () => "0123456789abcdef"[int(0, 15)]).join("");
  const requestIds = Array.from({ length: 400 }, () => `req_${hex(12)}`);

  /** About 300 events in the last 24 h, the rest spread over 90 days. */
  const when = (i) => (i % 20 === 0 ? now - int(60_000, DAY - 60_000) : now - int(DAY, 90 * DAY));
  const org = () => pick(ORGS);
  const promoterIndex = () => int(0, PROMOTERS.length - 1);

  const generators = {
    activity() {
      const p = promoterIndex();
      const id = String(int(100, 9999));
      const actor = pick(TEAM);
      const kind = pick(["commission.updated", "commission.updated", "commission.created", "promoter.created", "referral.created", "reward.issued"]);
      if (kind === "commission.updated") {
        const [from, to, action] = pick([
          ["pending", "approved", "approved"],
          ["pending", "denied", "denied"],
          ["approved", "paid", "paid"],
        ]);
        const cents = int(10, 500) * 100;
        return {
          type: kind,
          status: "success",
          summary: `Commission #${id} ${action} for ${PROMOTERS[p]}`,
          lifecycle_action: action,
          actor,
          source: "dashboard",
          entity: { type: "commission", id, name: `Commission #${id}` },
          targets: [{ type: "promoter", id: `p_${p + 1}`, name: PROMOTERS[p] }],
          organization_id: ORGS[p],
          changes: chance(0.4) ? { status: [from, to], amount_cents: [cents, cents + int(1, 20) * 100] } : { status: [from, to] },
          request: { id: pick(requestIds), method: "PATCH", path: `/api/commissions/${id}`, status_code: 200, duration_ms: int(20, 180), ip: pick(IPS), user_agent: AGENTS[0] },
          metadata: { program: pick(CAMPAIGNS) },
        };
      }
      if (kind === "commission.created") {
        return {
          type: kind,
          status: "success",
          summary: `Commission #${id} created for ${PROMOTERS[p]}`,
          lifecycle_action: "created",
          actor: pick(MACHINES),
          source: "api",
          entity: { type: "commission", id, name: `Commission #${id}` },
          organization_id: ORGS[p],
          changes: { status: [null, "pending"], amount_cents: [null, int(10, 500) * 100] },
        };
      }
      if (kind === "promoter.created") {
        return {
          type: kind,
          summary: `Promoter ${PROMOTERS[p]} joined ${pick(CAMPAIGNS)}`,
          lifecycle_action: "created",
          actor: pick(TEAM),
          source: pick(["dashboard", "import"]),
          entity: { type: "promoter", id: `p_${p + 1}`, name: PROMOTERS[p] },
          organization_id: ORGS[p],
        };
      }
      const customer = pick(CUSTOMERS);
      return {
        type: kind,
        status: "success",
        summary: kind === "reward.issued" ? `Reward issued to ${customer.name}` : `Referral of ${customer.name} by ${PROMOTERS[p]}`,
        lifecycle_action: kind === "reward.issued" ? "issued" : "created",
        actor: customer,
        source: "integration",
        entity: { type: kind.split(".")[0], id: `${kind[0]}_${hex(6)}` },
        targets: [{ type: "promoter", id: `p_${p + 1}`, name: PROMOTERS[p] }],
        organization_id: ORGS[p],
        metadata: { campaign: pick(CAMPAIGNS), points: int(10, 500) },
      };
    },

    configuration() {
      const change = pick([
        { type: "webhook.created", summary: "Webhook endpoint added", entity: { type: "webhook", id: `whe_${hex(8)}` }, changes: { url: [null, "https://hooks.example.com/trailbook"], event_types: [null, ["commission.*"]] } },
        { type: "api_key.revoked", summary: "API key revoked", entity: { type: "api_key", id: `key_${hex(8)}`, name: "Old backend key" }, changes: { revoked_at: [null, new Date(now).toISOString()] } },
        { type: "api_key.created", summary: "API key created", entity: { type: "api_key", id: `key_${hex(8)}`, name: "CRM sync" }, changes: { scope: [null, "ingest"] } },
        { type: "settings.updated", summary: "Retention period changed", entity: { type: "project", id: "settings" }, changes: { retention_days: [365, 180] } },
        { type: "user.invited", summary: `Invited ${pick(CUSTOMERS).email} as viewer`, entity: { type: "member", id: `usr_${hex(8)}` }, changes: { role: [null, "viewer"] } },
      ]);
      return { ...change, status: "success", actor: pick(TEAM.slice(0, 2)), source: "dashboard", request: { id: pick(requestIds), ip: pick(IPS), user_agent: AGENTS[0] } };
    },

    auth() {
      const user = chance(0.5) ? pick(TEAM) : pick(CUSTOMERS);
      const request = { id: `req_${hex(12)}`, method: "POST", path: "/login", ip: pick(IPS), user_agent: pick(AGENTS.slice(0, 2)) };
      const [type, status, summary] = pick([
        ["user.login", "success", `${user.name} signed in`],
        ["user.login", "success", `${user.name} signed in`],
        ["user.login_failed", "failure", `Failed sign-in for ${user.email}`],
        ["user.otp_requested", "success", `One-time code sent to ${user.email}`],
        ["user.otp_verified", "success", `${user.name} verified a one-time code`],
        ["user.logout", "success", `${user.name} signed out`],
      ]);
      const event = { type, status, summary, actor: user, source: "dashboard", request: { ...request, status_code: status === "failure" ? 401 : 200 } };
      if (status === "failure") event.message = pick(["Wrong password", "Unknown e-mail address", "Account locked after too many attempts"]);
      // A login form's body, with a password that the server redacts before storing anything.
      if (type === "user.login" && chance(0.1)) event.request.body = { email: user.email, password: "correct horse battery staple" };
      return event;
    },

    api_request() {
      const endpoint = pick(API_ENDPOINTS);
      const failed = chance(0.15);
      const [code, error] = failed ? pick(API_FAILURES) : [endpoint.method === "POST" ? 201 : endpoint.method === "DELETE" ? 204 : 200, undefined];
      const voucher = `SPRING-${hex(4).toUpperCase()}`;
      const body = endpoint.method === "GET" || endpoint.method === "DELETE" ? undefined : { code: voucher, customer: { source_id: pick(CUSTOMERS).id }, amount: int(500, 20000) };
      const response = failed ? { error: { code, message: error } } : endpoint.method === "GET" ? { object: "list", total: int(0, 250), data_ref: endpoint.controller } : code === 204 ? undefined : { id: `${endpoint.controller.slice(0, 2)}_${hex(10)}`, object: endpoint.controller.replace(/s$/, ""), code: voucher };
      const machine = pick(MACHINES.slice(0, 2));
      return {
        type: `${endpoint.method} ${endpoint.path}`,
        status: failed ? "failure" : "success",
        summary: failed ? `${endpoint.method} ${endpoint.path} failed: ${error}` : `${endpoint.method} ${endpoint.path}`,
        message: error,
        actor: machine,
        source: "api",
        organization_id: chance(0.7) ? org() : undefined,
        request: {
          id: pick(requestIds),
          method: endpoint.method,
          path: endpoint.path,
          status_code: code,
          duration_ms: int(8, failed && code === 500 ? 15000 : 400),
          ip: pick(IPS),
          user_agent: AGENTS[2],
          origin: "api",
          query: endpoint.method === "GET" ? { limit: String(pick([10, 50, 100])), page: String(int(1, 5)) } : {},
          body,
          response_body: response,
          controller: endpoint.controller,
          action: endpoint.action,
        },
        // An integration that sends its key in the body: stored as [REDACTED].
        metadata: chance(0.05) ? { sdk: "trailbook-node", api_key: "sk_live_demo_not_a_real_key" } : { sdk: "trailbook-node" },
      };
    },

    integration() {
      const p = promoterIndex();
      const type = pick(["conversion", "conversion", "one_click_access", "sales_entry", "sales_entry"]);
      const status = pick(["success", "success", "success", "info", "failure"]);
      const amount = int(1000, 90000);
      return {
        type,
        status,
        summary:
          type === "sales_entry"
            ? `Sale of ${(amount / 100).toFixed(2)} EUR for ${PROMOTERS[p]}`
            : type === "conversion"
              ? `Conversion tracked for ${PROMOTERS[p]}`
              : `One-click access for ${PROMOTERS[p]}`,
        message: status === "failure" ? pick(INTEGRATION_FAILURES) : status === "info" ? "Received; waiting for the order to be paid" : undefined,
        actor: MACHINES[1],
        source: "integration",
        entity: { type: type === "sales_entry" ? "sale" : "referral", id: `${type === "sales_entry" ? "s" : "r"}_${hex(8)}` },
        targets: [{ type: "promoter", id: `p_${p + 1}`, name: PROMOTERS[p] }],
        organization_id: ORGS[p],
        job_id: chance(0.5) ? `jid_${hex(6)}` : undefined,
        request: { id: pick(requestIds), method: "POST", path: "/api/integrations/hubspot", status_code: status === "failure" ? 422 : 200, duration_ms: int(30, 900), body: { event: type, amount_cents: amount, referral_code: status === "failure" ? null : `REF-${hex(5).toUpperCase()}` } },
        metadata: { integration: "hubspot", campaign: pick(CAMPAIGNS) },
      };
    },

    payment() {
      const p = promoterIndex();
      const [from, to] = pick([
        ["processing", "transit"],
        ["transit", "complete"],
        ["transit", "complete"],
        ["processing", "failed"],
        ["complete", "rollback"],
        [null, "processing"],
      ]);
      const id = `po_${hex(8)}`;
      return {
        type: from === null ? "payout.created" : "payout.updated",
        status: to,
        summary: `Payout ${id} to ${PROMOTERS[p]}: ${to}`,
        message: to === "failed" ? "The bank rejected the transfer: account closed" : to === "rollback" ? "Payout reversed after a chargeback" : undefined,
        lifecycle_action: to,
        actor: MACHINES[2],
        source: "system",
        entity: { type: "payout", id },
        targets: [{ type: "promoter", id: `p_${p + 1}`, name: PROMOTERS[p] }],
        organization_id: ORGS[p],
        changes: { status: [from, to] },
        metadata: { payout_source: pick(["paypal", "wise", "bank"]), amount_cents: int(2000, 250000), currency: "EUR", ...(chance(0.05) ? { card_number: "4111 1111 1111 1111" } : {}) },
      };
    },

    email() {
      const customer = pick(CUSTOMERS);
      const status = pick(["delivered", "delivered", "delivered", "bounced", "blocked", "pending"]);
      const template = pick(TEMPLATES);
      return {
        type: "email.sent",
        status,
        summary: `${template.replace(/_/g, " ")} e-mail to ${customer.email}: ${status}`,
        message: status === "bounced" ? "550 5.1.1 Mailbox does not exist" : status === "blocked" ? "Recipient is on the suppression list" : undefined,
        actor: MACHINES[2],
        source: "system",
        entity: { type: "email", id: `em_${hex(10)}` },
        targets: [{ type: "customer", id: customer.id, name: customer.name }],
        organization_id: org(),
        metadata: { template, to: customer.email, provider: pick(["postmark", "ses"]) },
      };
    },

    fraud() {
      const customer = pick(CUSTOMERS);
      const p = promoterIndex();
      const blocked = chance(0.3);
      return {
        type: "referral.screened",
        status: blocked ? "blocked" : "allowed",
        summary: `Referral of ${customer.name} by ${PROMOTERS[p]} ${blocked ? "blocked" : "allowed"}`,
        message: blocked ? pick(["Self-referral: same IP as the promoter", "Disposable e-mail domain", "Too many referrals from one device"]) : undefined,
        actor: MACHINES[2],
        source: "system",
        entity: { type: "referral", id: `r_${hex(8)}` },
        targets: [{ type: "promoter", id: `p_${p + 1}`, name: PROMOTERS[p] }],
        organization_id: ORGS[p],
        metadata: { score: blocked ? int(70, 99) : int(1, 40), reason: blocked ? "rules" : "clean", ip: pick(IPS) },
      };
    },
  };

  // Rough shares of a referral/loyalty product's log.
  const mix = [
    ["activity", 26],
    ["api_request", 22],
    ["auth", 14],
    ["integration", 12],
    ["email", 10],
    ["payment", 7],
    ["fraud", 5],
    ["configuration", 4],
  ];
  const total = mix.reduce((sum, [, weight]) => sum + weight, 0);
  const category = () => {
    let roll = random() * total;
    for (const [name, weight] of mix) {
      roll -= weight;
      if (roll < 0) return name;
    }
    return "activity";
  };

  const events = [];
  for (let i = 1; i <= count; i++) {
    const name = category();
    const event = generators[name]();
    events.push(clean({ id: `evt_demo_${String(i).padStart(5, "0")}`, occurred_at: new Date(when(i)).toISOString(), category: name, ...event }));
  }

  // A burst of failed sign-ins from one address an hour ago: what a security alert looks for.
  const burstIp = "198.51.100.66";
  for (let k = 0; k < 8 && events.length > k; k++) {
    const target = events[events.length - 1 - k * 3];
    Object.assign(target, {
      occurred_at: new Date(now - 60 * 60 * 1000 + k * 60 * 1000).toISOString(),
      category: "auth",
      type: "user.login_failed",
      status: "failure",
      summary: "Failed sign-in for jane@example.com",
      message: "Wrong password",
      actor: TEAM[0],
      source: "dashboard",
      request: { id: `req_burst_${k}`, method: "POST", path: "/login", status_code: 401, ip: burstIp, user_agent: AGENTS[3] },
    });
    for (const key of ["lifecycle_action", "entity", "targets", "organization_id", "changes", "job_id", "metadata"]) delete target[key];
  }
  return events;
}

/** Drops undefined fields so the events are exactly what JSON would carry. */
function clean(value) {
  return JSON.parse(JSON.stringify(value));
}
