// Realistic demo events for `npm start`, in the wire format of DESIGN §3: every category of §2 over the
// last 90 days (about 5 % in the last 24 hours), with changes, lifecycle actions, requests with bodies
// and status codes, failures with messages, shared request ids, job ids, a burst of failed sign-ins
// and a few secrets for the server to redact. Deterministic for a given (now, seed), so a re-run sends
// the same events and the API answers them as duplicates.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const SAFARI = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15";
const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36";
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const MOBILE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Safari/604.1";
const ANDROID = "Mozilla/5.0 (Linux; Android 15) Chrome/131.0 Mobile Safari/537.36";

// People, with the address and browser they usually come from; `actor` is what goes on the wire.
const person =
  (type) =>
  ([id, name, email, ip, ua]) => ({ actor: { type, id, name, email }, ip, ua });
const TEAM = [
  ["u_42", "Jane Doe", "jane@example.com", "203.0.113.7", SAFARI],
  ["u_7", "Bob Stone", "bob@example.com", "198.51.100.23", CHROME],
  ["u_19", "Amira Haddad", "amira@example.com", "192.0.2.41", FIREFOX],
  ["u_23", "Lukas Meyer", "lukas@example.com", "203.0.113.88", MOBILE],
].map(person("team_member"));
const CUSTOMERS = [
  ["c_1001", "Sofia Rossi", "sofia.rossi@example.org", "198.51.100.140", ANDROID],
  ["c_1002", "Noah Kim", "noah.kim@example.org", "192.0.2.77", CHROME],
  ["c_1003", "Emma Dubois", "emma.dubois@example.org", "203.0.113.201", MOBILE],
].map(person("customer"));
const API_KEY = { type: "api_key", id: "key_live_backend", name: "Backend (live)" };
const SHOPIFY = { type: "integration", id: "int_shopify", name: "Shopify app" };
const HUBSPOT = { type: "integration", id: "int_hubspot", name: "HubSpot sync" };
const SYSTEM = { type: "system", id: "system", name: "Trailbook" };
const SERVER = { ip: "10.0.4.12", ua: "trailbook-node/1.4.0" };

// Organisations, each the promoter (partner) it is on the referral program.
const ORGS = [
  ["org_acme", "p_101", "Acme Ltd"],
  ["org_globex", "p_102", "Globex Partners"],
  ["org_initech", "p_103", "Initech Affiliates"],
  ["org_umbrella", "p_104", "Umbrella Media"],
  ["org_hooli", "p_105", "Hooli Reviews"],
  ["org_stark", "p_106", "Stark Deals"],
].map(([id, promoter, name]) => ({ id, promoter: { type: "promoter", id: promoter, name } }));
const PROGRAMS = ["Spring referral", "Summer referral", "Black Friday", "Loyalty Gold", "Partner launch"];
const TEMPLATES = ["welcome", "reward_earned", "payout_sent", "password_reset", "monthly_summary", "referral_invite"];

// Voucherify-style API: [method, route, controller, action, past tense, weight]. `:code`/`:id` are filled in.
const ENDPOINTS = [
  ["GET", "/v1/vouchers", "vouchers", "list", "listed", 5],
  ["GET", "/v1/vouchers/:code", "vouchers", "get", "fetched", 4],
  ["POST", "/v1/vouchers", "vouchers", "create", "created", 2],
  ["DELETE", "/v1/vouchers/:code", "vouchers", "delete", "deleted", 1],
  ["POST", "/v1/validations", "validations", "validate", "validated", 5],
  ["POST", "/v1/redemptions", "redemptions", "redeem", "redeemed", 4],
  ["POST", "/v1/redemptions/:id/rollback", "redemptions", "rollback", "rolled back", 1],
  ["GET", "/v1/customers", "customers", "list", "listed", 2],
  ["PUT", "/v1/customers/:id", "customers", "update", "updated", 2],
];
// Who calls the API (Voucherify's request origins): [origin, source, weight].
const ORIGINS = [
  ["api", "api", 6],
  ["dashboard", "dashboard", 2],
  ["shopify", "integration", 2],
  ["cockpit", "api", 1],
];
// [status code, key, message, the actions it can happen to (all when absent)].
const API_ERRORS = [
  [
    400,
    "invalid_payload",
    "Invalid payload: property 'customer' is required",
    ["create", "validate", "redeem", "update"],
  ],
  [401, "unauthorized", "Missing or invalid API key"],
  [404, "not_found", "Resource not found", ["get", "delete", "rollback", "update"]],
  [422, "voucher_expired", "Voucher expired", ["validate", "redeem"]],
  [422, "quantity_exceeded", "Voucher redemption limit reached", ["redeem"]],
  [422, "already_rolled_back", "Redemption was already rolled back", ["rollback"]],
  [429, "too_many_requests", "Rate limit of 100 requests per second exceeded"],
  [500, "internal_error", "Upstream timeout, please retry"],
];
const INTEGRATION_FAILURES = [
  "Missing referral code",
  "Referral code does not match any promoter",
  "Duplicate sale reference: this order was already recorded",
  "Signature mismatch: check the integration secret",
  "Customer e-mail is invalid",
];
const FRAUD_REASONS = [
  "Self-referral: same IP as the promoter",
  "Disposable e-mail domain",
  "Too many referrals from one device",
  "Referral from a blocked country",
];
const PAYOUT_FAILURES = [
  "The bank rejected the transfer: account closed",
  "PayPal account is not verified",
  "Insufficient funds in the payout balance",
];
const PAYOUT_STEPS = [
  [null, "processing"],
  ["processing", "transit"],
  ["transit", "complete"],
  ["transit", "complete"],
  ["processing", "failed"],
  ["complete", "rollback"],
];

export const BURST_IP = "198.51.100.66";
const BURST_EMAILS = [
  "jane@example.com",
  "admin@example.com",
  "bob@example.com",
  "root@example.com",
  "jane@example.com",
  "amira@example.com",
  "support@example.com",
  "lukas@example.com",
];

// How often each scenario happens; the flows (bulk approval, redemption, conversion) add several events.
const SCENARIOS = [
  ["activity", 15],
  ["bulk_approval", 2],
  ["configuration", 4],
  ["auth", 14],
  ["api_request", 17],
  ["redemption", 3],
  ["conversion", 3],
  ["integration", 6],
  ["payment", 7],
  ["email", 8],
  ["fraud", 2],
];

/** mulberry32: a small, fast, seedable PRNG returning floats in [0, 1). */
export function mulberry32(seed) {
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
  const random = mulberry32(seed);
  const int = (min, max) => min + Math.floor(random() * (max - min + 1));
  const pick = (list) => list[Math.floor(random() * list.length)];
  const chance = (p) => random() < p;
  /** One row of a table whose last column is a weight. */
  const weighted = (rows) => {
    let roll = random() * rows.reduce((sum, row) => sum + row.at(-1), 0);
    return (
      rows.find((row) => {
        roll -= row.at(-1);
        return roll < 0;
      }) ?? rows[0]
    );
  };
  const hex = (n) => Array.from({ length: n }, () => "0123456789abcdef"[int(0, 15)]).join("");
  const code = (prefix, n) => `${prefix}-${hex(n).toUpperCase()}`;
  const reqId = () => `req_${hex(12)}`;
  const jobId = () => `jid_${hex(8)}`;
  const cents = () => int(10, 500) * 100;
  const ref = (actor) => ({ type: actor.type, id: actor.id, name: actor.name });
  const browser = (who, request) => ({ id: reqId(), ...request, ip: who.ip, user_agent: who.ua, origin: "dashboard" });
  const server = (request) => ({ id: reqId(), ...request, ip: SERVER.ip, user_agent: SERVER.ua, origin: "api" });

  /** A commission.updated by a team member, with FirstPromoter's lifecycle action and changes. */
  function commissionUpdated(member, request, t, [from, to]) {
    const org = pick(ORGS);
    const id = String(int(1000, 99999));
    const amount = cents();
    const changes = { status: [from, to] };
    if (to === "paid") changes.paid_at = [null, new Date(t).toISOString()];
    else if (chance(0.35)) changes.amount_cents = [amount, amount + int(1, 20) * 100];
    return {
      category: "activity",
      type: "commission.updated",
      lifecycle_action: to,
      summary: `Commission #${id} ${to} for ${org.promoter.name}`,
      actor: member.actor,
      source: "dashboard",
      entity: { type: "commission", id, name: `Commission #${id}` },
      targets: [org.promoter],
      organization_id: org.id,
      changes,
      request: { ...request, path: request.path.replace(":id", id) },
      metadata: { program: pick(PROGRAMS) },
    };
  }

  const scenarios = {
    activity(t) {
      const org = pick(ORGS);
      const member = pick(TEAM);
      const kind = weighted([
        ["commission.updated", 6],
        ["commission.created", 3],
        ["commission.approved", 2],
        ["promoter.created", 2],
        ["referral.created", 2],
        ["reward.issued", 2],
      ])[0];
      if (kind === "commission.updated") {
        const request = browser(member, {
          method: "PATCH",
          path: "/api/commissions/:id",
          status_code: 200,
          duration_ms: int(20, 180),
          controller: "commissions",
          action: "update",
        });
        return [
          commissionUpdated(
            member,
            request,
            t,
            pick([
              ["pending", "approved"],
              ["pending", "approved"],
              ["pending", "denied"],
              ["approved", "paid"],
            ]),
          ),
        ];
      }
      const base = {
        category: "activity",
        type: kind,
        actor: member.actor,
        source: "dashboard",
        targets: [org.promoter],
        organization_id: org.id,
      };
      const id = String(int(1000, 99999));
      const commission = { type: "commission", id, name: `Commission #${id}` };
      const amount = cents();
      const customer = pick(CUSTOMERS).actor;
      const events = {
        "commission.created": {
          lifecycle_action: "created",
          actor: API_KEY,
          source: "api",
          entity: commission,
          summary: `Commission #${id} of ${(amount / 100).toFixed(2)} EUR created for ${org.promoter.name}`,
          changes: { status: [null, "pending"], amount_cents: [null, amount] },
          request: server({
            method: "POST",
            path: "/v1/commissions",
            status_code: 201,
            duration_ms: int(30, 250),
            controller: "commissions",
            action: "create",
          }),
        },
        "commission.approved": {
          lifecycle_action: "approved",
          actor: SYSTEM,
          source: "system",
          entity: commission,
          job_id: jobId(),
          summary: `Commission #${id} approved automatically after the 30-day hold`,
          changes: { status: ["pending", "approved"] },
        },
        "promoter.created": chance(0.4)
          ? {
              lifecycle_action: "created",
              source: "import",
              job_id: jobId(),
              summary: `Promoter ${org.promoter.name} imported from CSV`,
              entity: org.promoter,
              targets: undefined,
              changes: { state: [null, "active"] },
            }
          : {
              lifecycle_action: "created",
              summary: `Promoter ${org.promoter.name} joined ${pick(PROGRAMS)}`,
              entity: org.promoter,
              targets: undefined,
              changes: { state: [null, "active"] },
            },
        "referral.created": {
          lifecycle_action: "created",
          actor: customer,
          source: "integration",
          summary: `Referral of ${customer.name} by ${org.promoter.name}`,
          entity: { type: "referral", id: `ref_${hex(8)}`, name: customer.name },
          metadata: { program: pick(PROGRAMS) },
        },
        "reward.issued": {
          lifecycle_action: "issued",
          summary: `Reward of ${int(1, 10) * 50} points issued to ${customer.name}`,
          entity: { type: "reward", id: `rwd_${hex(8)}` },
          targets: [ref(customer)],
          metadata: { program: pick(PROGRAMS), reason: "manual adjustment" },
        },
      };
      return [{ ...base, ...events[kind] }];
    },

    /** One "approve selected" click: several commission.updated events sharing one request id. */
    bulk_approval(t) {
      const member = pick(TEAM.slice(0, 2));
      const request = browser(member, {
        method: "POST",
        path: "/api/commissions/bulk_approve",
        status_code: 200,
        duration_ms: int(120, 900),
        controller: "commissions",
        action: "bulk_approve",
      });
      return Array.from({ length: int(3, 5) }, () => commissionUpdated(member, request, t, ["pending", "approved"]));
    },

    configuration(t) {
      const member = pick(TEAM.slice(0, 2));
      const partner = pick(ORGS).id.slice(4);
      const [type, summary, entity, changes, metadata] = pick([
        [
          "webhook.created",
          "Webhook endpoint added",
          { type: "webhook", id: `whe_${hex(8)}`, name: "Payouts to ERP" },
          {
            url: [null, "https://hooks.acme.example/trailbook"],
            event_types: [null, ["commission.*", "payout.*"]],
            secret: [null, `whsec_${hex(24)}`],
          },
        ],
        [
          "api_key.created",
          "API key created",
          { type: "api_key", id: `key_${hex(8)}`, name: "CRM sync" },
          { scope: [null, "ingest"] },
        ],
        [
          "api_key.revoked",
          "API key revoked",
          { type: "api_key", id: `key_${hex(8)}`, name: "Old backend key" },
          { revoked_at: [null, new Date(t).toISOString()] },
        ],
        [
          "settings.updated",
          "Retention period changed",
          { type: "project", id: "settings", name: "Project settings" },
          { retention_days: [365, 180] },
        ],
        [
          "settings.updated",
          "Project timezone changed",
          { type: "project", id: "settings", name: "Project settings" },
          { timezone: ["UTC", "Europe/Berlin"] },
        ],
        [
          "program.updated",
          "Program payout threshold changed",
          { type: "program", id: "prg_spring", name: "Spring referral" },
          { payout_threshold_cents: [5000, 2500], hold_days: [30, 14] },
        ],
        [
          "user.invited",
          `Invited ${partner}@partners.example as partner viewer`,
          { type: "member", id: `usr_${hex(8)}`, name: `${partner}@partners.example` },
          { role: [null, "viewer"], organization_id: [null, `org_${partner}`] },
        ],
        [
          "integration.connected",
          "SFTP import connected",
          { type: "integration", id: "int_sftp", name: "Nightly SFTP import" },
          { host: [null, "sftp.acme.example"] },
          { username: "trailbook", password: "hunter2-demo-only" },
        ],
      ]);
      const path = entity.type === "project" ? "/settings" : `/settings/${entity.type}s`;
      const request = browser(member, {
        method: type.endsWith("updated") ? "PATCH" : "POST",
        path,
        status_code: 200,
        duration_ms: int(15, 120),
      });
      return [
        {
          category: "configuration",
          type,
          summary,
          actor: member.actor,
          source: "dashboard",
          entity,
          changes,
          metadata,
          request,
        },
      ];
    },

    auth() {
      const who = chance(0.6) ? pick(TEAM) : pick(CUSTOMERS);
      const { actor } = who;
      const [type, status, summary, path, statusCode] = weighted([
        ["user.login", "success", `${actor.name} signed in`, "/login", 200, 8],
        ["user.login_failed", "failure", `Failed sign-in for ${actor.email}`, "/login", 401, 2],
        ["user.otp_requested", "success", `One-time code sent to ${actor.email}`, "/login/otp", 200, 2],
        ["user.otp_verified", "success", `${actor.name} verified a one-time code`, "/login/otp/verify", 200, 2],
        ["user.logout", "success", `${actor.name} signed out`, "/logout", 204, 4],
      ]);
      const request = browser(who, { method: "POST", path, status_code: statusCode, duration_ms: int(40, 400) });
      if (type === "user.login" && chance(0.1))
        request.body = { email: actor.email, password: "correct horse battery staple" }; // redacted on ingest
      const message =
        status === "failure"
          ? pick([
              "Wrong password",
              "Wrong password",
              "Account locked after too many attempts",
              "One-time code expired",
            ])
          : undefined;
      return [{ category: "auth", type, status, summary, message, actor, source: "dashboard", request }];
    },

    api_request(_t, endpoint = weighted(ENDPOINTS)) {
      const [method, route, controller, action, verb] = endpoint;
      const [origin, source] = weighted(ORIGINS);
      const caller =
        origin === "dashboard"
          ? pick(TEAM)
          : origin === "cockpit"
            ? pick(CUSTOMERS)
            : { actor: origin === "shopify" ? SHOPIFY : API_KEY, ...SERVER };
      const voucher = code(pick(["SPRING", "BF24", "GOLD", "WELCOME"]), 4);
      const customer = pick(CUSTOMERS).actor;
      const path = route
        .replace(":code", voucher)
        .replace(":id", controller === "customers" ? customer.id : `r_${hex(10)}`);
      const list = method === "GET" && !route.includes(":");
      const ok = method === "GET" && chance(0.03) ? 301 : action === "create" ? 201 : method === "DELETE" ? 204 : 200;
      const [statusCode, key, error] = chance(0.15)
        ? pick(API_ERRORS.filter((e) => !e[3] || e[3].includes(action)))
        : [ok];
      const failed = statusCode >= 400;
      const id = reqId();
      const body =
        method === "GET" || method === "DELETE"
          ? {}
          : {
              voucher,
              customer: { source_id: customer.id, email: customer.email },
              order: { amount: int(500, 20000), currency: "EUR" },
            };
      if (origin === "api" && method === "POST" && chance(0.03)) body.api_key = `sk_live_${hex(16)}`; // a client sending its key in the body: redacted
      const response = failed
        ? { code: statusCode, key, message: error, request_id: id }
        : statusCode === 204
          ? {}
          : statusCode === 301
            ? { location: path.replace("/v1/", "/v2/") }
            : list
              ? { object: "list", total: int(0, 250), has_more: chance(0.5) }
              : {
                  id: `${controller.slice(0, 4)}_${hex(10)}`,
                  object: controller.replace(/s$/, ""),
                  voucher: { code: voucher, active: action !== "delete" },
                };
      const entity = controller === "customers" ? ref(customer) : { type: "voucher", id: voucher, name: voucher };
      const summary = failed
        ? `${method} ${path} failed: ${statusCode} ${key}`
        : list
          ? `${controller[0].toUpperCase()}${controller.slice(1)} ${verb}`
          : `${entity.type === "customer" ? "Customer" : "Voucher"} ${entity.name} ${verb}`;
      return [
        {
          category: "api_request",
          type: `${method} ${route}`,
          status: failed ? "failure" : "success",
          summary,
          message: error,
          actor: caller.actor,
          source,
          entity,
          organization_id: chance(0.7) ? pick(ORGS).id : undefined,
          request: {
            id,
            method,
            path,
            status_code: statusCode,
            duration_ms: statusCode === 500 ? int(5000, 15000) : int(8, 400),
            ip: caller.ip,
            user_agent: caller.ua,
            origin,
            query: list ? { limit: String(pick([10, 50, 100])), page: String(int(1, 5)) } : {},
            body,
            response_body: response,
            controller,
            action,
          },
        },
      ];
    },

    /** POST /v1/redemptions → reward issued → e-mail queued, all under one request id. */
    redemption(t) {
      const [call] = scenarios.api_request(
        t,
        ENDPOINTS.find((e) => e[3] === "redeem"),
      );
      if (call.status === "failure") return [call];
      const org = pick(ORGS);
      const customer = pick(CUSTOMERS).actor;
      const shared = { organization_id: org.id, request: { id: call.request.id } };
      return [
        { ...call, organization_id: org.id },
        {
          category: "activity",
          type: "reward.issued",
          lifecycle_action: "issued",
          summary: `Reward of ${int(1, 10) * 50} points issued to ${customer.name}`,
          actor: call.actor,
          source: call.source,
          entity: { type: "reward", id: `rwd_${hex(8)}` },
          targets: [ref(customer), org.promoter],
          ...shared,
          metadata: { program: pick(PROGRAMS), voucher: call.entity.id },
        },
        {
          category: "email",
          type: "email.sent",
          status: "pending",
          summary: `reward earned e-mail to ${customer.email}: pending`,
          actor: SYSTEM,
          source: "system",
          entity: { type: "email", id: `em_${hex(10)}` },
          targets: [ref(customer)],
          ...shared,
          metadata: { template: "reward_earned", to: customer.email, provider: "postmark" },
        },
      ];
    },

    /** A conversion posted by the integration script, screened for fraud, then a referral (or not). */
    conversion() {
      const org = pick(ORGS);
      const customer = pick(CUSTOMERS).actor;
      const blocked = chance(0.25);
      const reason = pick(FRAUD_REASONS);
      const referralCode = code("REF", 5);
      const order = `ord_${hex(6)}`;
      const request = server({
        method: "POST",
        path: "/v1/conversions",
        status_code: 200,
        duration_ms: int(60, 700),
        controller: "conversions",
        action: "create",
        body: { referral_code: referralCode, email: customer.email, external_id: order },
        response_body: { created: !blocked },
      });
      const shared = { targets: [org.promoter], organization_id: org.id };
      const referral = { type: "referral", id: `ref_${hex(8)}`, name: customer.name };
      const events = [
        {
          category: "integration",
          type: "conversion",
          status: blocked ? "info" : "success",
          summary: `Conversion of ${customer.email} for ${org.promoter.name}`,
          message: blocked ? `Information captured but no referral created: ${reason}` : "Referral created",
          actor: API_KEY,
          source: "integration",
          entity: { type: "conversion", id: order },
          ...shared,
          request,
          job_id: jobId(),
          metadata: { referral_code: referralCode, program: pick(PROGRAMS) },
        },
        {
          category: "fraud",
          type: "referral.screened",
          status: blocked ? "blocked" : "allowed",
          summary: `Referral of ${customer.name} by ${org.promoter.name} ${blocked ? "blocked" : "allowed"}`,
          message: blocked ? reason : undefined,
          actor: SYSTEM,
          source: "system",
          entity: referral,
          ...shared,
          request: { id: request.id },
          metadata: {
            reason: blocked ? reason : "No rule matched",
            score: blocked ? int(70, 99) : int(1, 40),
            ip: pick(CUSTOMERS).ip,
          },
        },
      ];
      if (!blocked) {
        events.push({
          category: "activity",
          type: "referral.created",
          lifecycle_action: "created",
          summary: `Referral of ${customer.name} by ${org.promoter.name}`,
          actor: customer,
          source: "integration",
          entity: referral,
          ...shared,
          request: { id: request.id },
          changes: { status: [null, "pending"] },
        });
      }
      return events;
    },

    integration() {
      const org = pick(ORGS);
      const customer = pick(CUSTOMERS);
      const [type, actor] = weighted([
        ["conversion", API_KEY, 3],
        ["one_click_access", customer.actor, 2],
        ["sales_entry", HUBSPOT, 3],
      ]);
      const status = weighted([
        ["success", 6],
        ["info", 2],
        ["failure", 2],
      ])[0];
      const amount = int(1000, 90000);
      const message =
        status === "failure"
          ? pick(INTEGRATION_FAILURES)
          : status === "info"
            ? "Information captured but no referral created: the customer already exists"
            : undefined;
      const [path, body, summary, entity] = {
        sales_entry: [
          "/integrations/hubspot/sales",
          { deal_id: String(int(10000, 99999)), amount_cents: amount, stage: "closedwon" },
          `Sale of ${(amount / 100).toFixed(2)} EUR from HubSpot for ${org.promoter.name}`,
          { type: "sale", id: `sale_${hex(8)}` },
        ],
        one_click_access: [
          "/access/one-click",
          { member_id: customer.actor.id, token: `oca_${hex(20)}` }, // the token is redacted on ingest
          `One-click access for ${customer.actor.name}`,
          ref(customer.actor),
        ],
        conversion: [
          "/v1/conversions",
          { referral_code: message === "Missing referral code" ? null : code("REF", 5), email: customer.actor.email },
          `Conversion of ${customer.actor.email} for ${org.promoter.name}`,
          ref(customer.actor),
        ],
      }[type];
      return [
        {
          category: "integration",
          type,
          status,
          summary,
          message,
          actor,
          source: "integration",
          entity,
          targets: [org.promoter],
          organization_id: org.id,
          job_id: type === "sales_entry" || chance(0.3) ? jobId() : undefined,
          request: {
            id: reqId(),
            method: "POST",
            path,
            status_code: status === "failure" ? 422 : 200,
            duration_ms: int(30, 900),
            ip: type === "one_click_access" ? customer.ip : SERVER.ip,
            body,
            response_body: status === "failure" ? { error: message } : { ok: true },
          },
          metadata: { integration: type === "sales_entry" ? "hubspot" : "script", program: pick(PROGRAMS) },
        },
      ];
    },

    payment() {
      const org = pick(ORGS);
      const [from, to] = pick(PAYOUT_STEPS);
      const id = `po_${hex(8)}`;
      const payoutSource = pick(["paypal", "paypal", "wise", "bank"]);
      // The fields the Payments view reads (README "Payments and e-mails").
      const metadata = {
        payout_source: payoutSource,
        amount: int(2000, 250000) / 100,
        currency: "EUR",
        program: pick(PROGRAMS),
        member: org.promoter.name,
      };
      if (payoutSource === "bank" && chance(0.1)) metadata.card_number = "4111 1111 1111 1111"; // redacted on ingest
      return [
        {
          category: "payment",
          type: from === null ? "payout.created" : "payout.updated",
          status: to,
          lifecycle_action: to,
          summary: `Payout ${id} to ${org.promoter.name} via ${payoutSource}: ${to}`,
          message:
            to === "failed"
              ? pick(PAYOUT_FAILURES)
              : to === "rollback"
                ? "Payout reversed after a chargeback"
                : undefined,
          actor: SYSTEM,
          source: "system",
          entity: { type: "payout", id },
          targets: [org.promoter],
          organization_id: org.id,
          changes: { status: [from, to] },
          job_id: chance(0.5) ? jobId() : undefined,
          metadata,
        },
      ];
    },

    email(t) {
      const { actor: customer } = pick(CUSTOMERS);
      const status = weighted([
        ["delivered", 12],
        ["bounced", 1],
        ["blocked", 1],
        ["pending", 2],
      ])[0];
      const template = pick(TEMPLATES);
      return [
        {
          category: "email",
          type: "email.sent",
          status,
          summary: `${template.replace(/_/g, " ")} e-mail to ${customer.email}: ${status}`,
          message:
            status === "bounced"
              ? "550 5.1.1 Mailbox does not exist"
              : status === "blocked"
                ? "Recipient is on the suppression list"
                : undefined,
          actor: SYSTEM,
          source: "system",
          entity: { type: "email", id: `em_${hex(10)}` },
          targets: [ref(customer)],
          organization_id: pick(ORGS).id,
          // The fields the Emails view reads (README "Payments and e-mails"): the e-mail's outcome
          // as the provider reported it when the event was posted.
          metadata: {
            template,
            to: customer.email,
            provider: pick(["postmark", "ses"]),
            ...(status === "delivered" && { delivered_at: new Date(t + int(2, 40) * 1000).toISOString() }),
            ...(status === "delivered" &&
              chance(0.4) && {
                opened_at: new Date(Math.min(now, t + int(60, (2 * DAY) / 1000) * 1000)).toISOString(),
              }),
          },
        },
      ];
    },

    /** A referral from a form (no request of ours behind it), screened like a conversion. */
    fraud() {
      const screened = scenarios.conversion().find((e) => e.category === "fraud");
      return [{ ...screened, request: undefined }];
    },
  };

  /** When the next scenario happens: 1 event in 20 in the last 24 h, the rest over 90 days, mostly office hours (UTC). */
  let recent = 0;
  const when = (index) => {
    if (recent * 20 <= index) return now - int(MINUTE, DAY - MINUTE);
    const t = now - int(DAY, 90 * DAY);
    return chance(0.6) ? Math.max(now - 90 * DAY, t - (t % DAY) + int(7 * HOUR, 18 * HOUR)) : t;
  };

  const burst = Math.min(BURST_EMAILS.length, count);
  const events = [];
  while (events.length < count - burst) {
    const t = when(events.length);
    const group = scenarios[weighted(SCENARIOS)[0]](t).slice(0, count - burst - events.length);
    if (t > now - DAY) recent += group.length;
    let at = t;
    for (const event of group) {
      at += int(3, 250);
      events.push({ id: "", occurred_at: new Date(at).toISOString(), ...event });
    }
  }

  // Credential stuffing about an hour ago: failed sign-ins from one address, 15–55 s apart.
  let at = now - 70 * MINUTE;
  for (const email of BURST_EMAILS.slice(0, burst)) {
    const actor = TEAM.find((p) => p.actor.email === email)?.actor;
    at += int(15, 55) * 1000;
    events.push({
      id: "",
      occurred_at: new Date(at).toISOString(),
      category: "auth",
      type: "user.login_failed",
      status: "failure",
      summary: `Failed sign-in for ${email}`,
      message: actor ? "Wrong password" : "Unknown e-mail address",
      actor,
      source: "dashboard",
      request: {
        id: reqId(),
        method: "POST",
        path: "/login",
        status_code: 401,
        duration_ms: int(200, 400),
        ip: BURST_IP,
        user_agent: "python-requests/2.32.3",
        origin: "dashboard",
        body: { email, password: `Summer202${int(0, 5)}!` },
      },
    });
  }

  // Ids in order, and undefined fields dropped so the events are exactly what JSON carries.
  return events.map((event, i) =>
    JSON.parse(JSON.stringify({ ...event, id: `evt_demo_${String(i + 1).padStart(5, "0")}` })),
  );
}
