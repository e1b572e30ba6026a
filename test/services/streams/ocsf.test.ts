import { describe, expect, it } from "vitest";
import type { StoredEvent } from "../../../src/services/events/schema";
import { OCSF_VERSION, toOcsf } from "../../../src/services/streams/ocsf";

// Required attributes of OCSF 1.3.0 (schema.ocsf.io, the ocsf-schema repository at tag 1.3.0):
// what every event must carry (base_event with the classification and occurrence includes), what
// each class adds, and the objects' own required attributes and "at least one of" constraints.
const BASE_REQUIRED = ["activity_id", "category_uid", "class_uid", "type_uid", "time", "metadata", "severity_id"];
const CLASS_REQUIRED: Record<
  number,
  { category: number; required: string[]; atLeastOne?: string[]; activities: number[] }
> = {
  // IAM / Account Change: user.
  3001: { category: 3, required: ["user"], activities: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 99] },
  // IAM / Authentication: user; at least one of service, dst_endpoint.
  3002: {
    category: 3,
    required: ["user"],
    atLeastOne: ["service", "dst_endpoint"],
    activities: [0, 1, 2, 3, 4, 5, 6, 99],
  },
  // IAM / Entity Management: entity (managed_entity).
  3004: { category: 3, required: ["entity"], activities: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 99] },
  // Application / API Activity: actor, api, src_endpoint.
  6003: { category: 6, required: ["actor", "api", "src_endpoint"], activities: [0, 1, 2, 3, 4, 99] },
};
/** Objects: [required attributes, at least one of]. */
const OBJECTS: Record<string, [string[], string[]]> = {
  metadata: [["product", "version"], []],
  product: [["vendor_name"], []],
  actor: [[], ["process", "user", "invoked_by", "session", "app_name", "app_uid"]],
  api: [["operation"], []],
  request: [["uid"], []],
  http_response: [["code"], []],
  user: [[], ["account", "name", "uid"]],
  network_endpoint: [
    [],
    ["ip", "uid", "name", "hostname", "svc_name", "instance_uid", "interface_uid", "interface_name"],
  ],
  managed_entity: [[], ["name", "uid", "device", "group", "org", "policy", "user"]],
  service: [[], ["name", "uid"]],
  resource_details: [[], ["name", "uid"]],
  url: [[], ["url_string", "path"]],
};
const SEVERITIES = [0, 1, 2, 3, 4, 5, 6, 99];
const STATUSES = [0, 1, 2, 99];

type Json = Record<string, unknown>;

function checkObject(name: string, value: unknown, where: string): string[] {
  const spec = OBJECTS[name];
  if (!spec) throw new Error(`no spec for ${name}`);
  if (typeof value !== "object" || value === null) return [`${where} is not an object`];
  const o = value as Json;
  const problems = spec[0].filter((k) => o[k] === undefined || o[k] === "").map((k) => `${where}.${k} missing`);
  if (spec[1].length && !spec[1].some((k) => o[k] !== undefined && o[k] !== ""))
    problems.push(`${where} needs one of ${spec[1].join(", ")}`);
  return problems;
}

/** Every OCSF 1.3.0 requirement this mapping can meet or break, as a list of problems. */
function validate(e: Json): string[] {
  const problems = BASE_REQUIRED.filter((k) => e[k] === undefined).map((k) => `${k} missing`);
  const cls = CLASS_REQUIRED[e.class_uid as number];
  if (!cls) return [...problems, `unknown class ${String(e.class_uid)}`];
  problems.push(...cls.required.filter((k) => e[k] === undefined).map((k) => `${k} missing`));
  if (cls.atLeastOne && !cls.atLeastOne.some((k) => e[k] !== undefined))
    problems.push(`needs one of ${cls.atLeastOne.join(", ")}`);
  if (e.category_uid !== cls.category) problems.push("category_uid does not match the class");
  if (!cls.activities.includes(e.activity_id as number)) problems.push("activity_id outside the class's enum");
  if (e.type_uid !== (e.class_uid as number) * 100 + (e.activity_id as number)) problems.push("type_uid");
  if (!Number.isInteger(e.time)) problems.push("time is not a timestamp in ms");
  if (!SEVERITIES.includes(e.severity_id as number)) problems.push("severity_id");
  if (e.status_id !== undefined && !STATUSES.includes(e.status_id as number)) problems.push("status_id");
  problems.push(...checkObject("metadata", e.metadata, "metadata"));
  problems.push(...checkObject("product", (e.metadata as Json | undefined)?.product, "metadata.product"));
  if ((e.metadata as Json | undefined)?.version !== OCSF_VERSION) problems.push("metadata.version");
  const objects: [string, string][] = [
    ["actor", "actor"],
    ["api", "api"],
    ["user", "user"],
    ["src_endpoint", "network_endpoint"],
    ["entity", "managed_entity"],
    ["service", "service"],
    ["http_response", "http_response"],
  ];
  for (const [key, object] of objects) if (e[key] !== undefined) problems.push(...checkObject(object, e[key], key));
  const actor = e.actor as Json | undefined;
  if (actor?.user) problems.push(...checkObject("user", actor.user, "actor.user"));
  const api = e.api as Json | undefined;
  if (api?.request) problems.push(...checkObject("request", api.request, "api.request"));
  if (api?.service) problems.push(...checkObject("service", api.service, "api.service"));
  for (const [i, r] of ((e.resources as unknown[] | undefined) ?? []).entries())
    problems.push(...checkObject("resource_details", r, `resources[${i}]`));
  const url = (e.http_request as Json | undefined)?.url;
  if (url) problems.push(...checkObject("url", url, "http_request.url"));
  return problems;
}

const project = { id: "prj_test", name: "Acme" };
const stored = (e: Partial<StoredEvent> & { type: string }): StoredEvent => ({
  id: `evt_${e.type.replace(/[^a-z]/gi, "_")}`,
  occurred_at: "2026-11-02T09:15:00.000Z",
  received_at: "2026-11-02T09:15:01.000Z",
  category: "activity",
  action: e.type.slice(e.type.lastIndexOf(".") + 1),
  hash: "a".repeat(64),
  ...e,
});

const jane = { type: "team_member", id: "u_42", name: "Jane Doe", email: "jane@example.com" };

// One event per mapping row of README "OCSF mapping": [event, class, activity, status].
const CASES: [StoredEvent, number, number, number][] = [
  [
    stored({ type: "user.login", category: "auth", status: "success", actor: jane, request: { ip: "203.0.113.7" } }),
    3002,
    1,
    1,
  ],
  [
    stored({ type: "user.login_failed", category: "auth", status: "failure", actor: { email: "x@example.com" } }),
    3002,
    1,
    2,
  ],
  [stored({ type: "user.logout", category: "auth", actor: jane }), 3002, 2, 0],
  [stored({ type: "user.otp_requested", category: "auth" }), 3002, 99, 0],
  [stored({ type: "user.password_changed", category: "auth", status: "success", actor: jane }), 3001, 3, 1],
  [stored({ type: "user.totp_enabled", category: "auth", actor: jane }), 3001, 10, 0],
  [stored({ type: "user.totp_disabled", category: "auth", actor: jane }), 3001, 11, 0],
  [
    stored({
      type: "member.removed",
      category: "configuration",
      actor: jane,
      entity: { type: "member", id: "u_7", name: "Bob" },
    }),
    3001,
    6,
    0,
  ],
  [
    stored({ type: "member.updated", category: "configuration", actor: jane, entity: { type: "member", id: "u_7" } }),
    3001,
    99,
    0,
  ],
  [
    stored({
      type: "webhook.created",
      category: "configuration",
      actor: jane,
      entity: { type: "webhook", id: "whe_1" },
    }),
    3004,
    1,
    0,
  ],
  [stored({ type: "api_key.revoked", category: "configuration", actor: { type: "api_key", id: "key_1" } }), 3004, 4, 0],
  [
    stored({ type: "settings.updated", category: "configuration", changes: { timezone: ["UTC", "Europe/Berlin"] } }),
    3004,
    3,
    0,
  ],
  [stored({ type: "log_stream.disabled", category: "configuration" }), 3004, 9, 0],
  [
    stored({
      type: "GET /v1/vouchers",
      category: "api_request",
      status: "success",
      request: {
        id: "req_1",
        method: "GET",
        path: "/v1/vouchers",
        status_code: 200,
        ip: "198.51.100.4",
        user_agent: "curl",
      },
    }),
    6003,
    2,
    1,
  ],
  [
    stored({ type: "POST /v1/redemptions", category: "api_request", request: { method: "POST", status_code: 422 } }),
    6003,
    1,
    2,
  ],
  [
    stored({
      type: "commission.updated",
      lifecycle_action: "approved",
      actor: jane,
      entity: { type: "commission", id: "123" },
      targets: [{ type: "promoter", id: "p_9", name: "Acme Ltd" }],
      changes: { status: ["pending", "approved"] },
      organization_id: "org_9",
      metadata: { program: "Spring" },
    }),
    6003,
    3,
    0,
  ],
  [stored({ type: "payout.created", category: "payment", status: "processing" }), 6003, 1, 99],
  [stored({ type: "email.sent", category: "email", status: "bounced" }), 6003, 99, 2],
  [stored({ type: "referral.screened", category: "fraud", status: "blocked" }), 6003, 99, 2],
  [stored({ type: "conversion", category: "integration", status: "info" }), 6003, 99, 99],
  [stored({ type: "thing.deleted", category: "custom_category" }), 6003, 4, 0],
];

describe("OCSF output", () => {
  it.each(CASES)("%# maps %o to its class with every required field", (event, classUid, activityId, statusId) => {
    const ocsf = toOcsf(event, project);
    expect(validate(ocsf)).toEqual([]);
    expect(ocsf).toMatchObject({ class_uid: classUid, activity_id: activityId, status_id: statusId });
    expect(ocsf.time).toBe(Date.parse(event.occurred_at));
    expect((ocsf.metadata as Json).uid).toBe(event.id);
    // Trailbook-only fields are kept in `unmapped`.
    expect((ocsf.unmapped as Json).category).toBe(event.category);
    expect((ocsf.unmapped as Json).type).toBe(event.type);
  });

  it("keeps what OCSF has no place for in unmapped, and grades failures", () => {
    const [commission] = CASES.find(([e]) => e.type === "commission.updated") ?? [];
    const ocsf = toOcsf(commission as StoredEvent, project);
    expect(ocsf.unmapped).toMatchObject({
      changes: { status: ["pending", "approved"] },
      organization_id: "org_9",
      metadata: { program: "Spring" },
      lifecycle_action: "approved",
      hash: "a".repeat(64),
    });
    expect(ocsf.resources).toEqual([
      { uid: "123", name: "123", type: "commission" },
      { uid: "p_9", name: "Acme Ltd", type: "promoter" },
    ]);
    const failedLogin = toOcsf(CASES[1]?.[0] as StoredEvent, project);
    expect(failedLogin).toMatchObject({ severity_id: 3, severity: "Medium", status: "Failure" });
    const bounced = toOcsf(CASES.find(([e]) => e.type === "email.sent")?.[0] as StoredEvent, project);
    expect(bounced).toMatchObject({ severity_id: 2, status_detail: "bounced" });
  });

  it("the validator finds what a broken mapping would leave out", () => {
    const ocsf = toOcsf(CASES[0]?.[0] as StoredEvent, project);
    const { user: _user, ...withoutUser } = ocsf;
    expect(validate(withoutUser)).toContain("user missing");
    expect(validate({ ...ocsf, type_uid: 1 })).toContain("type_uid");
    expect(validate({ ...ocsf, metadata: { version: OCSF_VERSION, product: { name: "x" } } })).toContain(
      "metadata.product.vendor_name missing",
    );
  });
});
