import type { StoredEvent } from "../events/schema";

// OCSF 1.3.0 (https://schema.ocsf.io): Trailbook's events as the classes SIEMs index. The mapping is
// README "OCSF mapping"; fields OCSF has no place for go to `unmapped`, so nothing is lost.

export const OCSF_VERSION = "1.3.0";

type Json = Record<string, unknown>;
type ClassDef = { uid: number; name: string; categoryUid: number; categoryName: string };

export const OCSF_CLASSES = {
  account_change: { uid: 3001, name: "Account Change", categoryUid: 3, categoryName: "Identity & Access Management" },
  authentication: { uid: 3002, name: "Authentication", categoryUid: 3, categoryName: "Identity & Access Management" },
  entity_management: {
    uid: 3004,
    name: "Entity Management",
    categoryUid: 3,
    categoryName: "Identity & Access Management",
  },
  api_activity: { uid: 6003, name: "API Activity", categoryUid: 6, categoryName: "Application Activity" },
} as const satisfies Record<string, ClassDef>;
export type OcsfClass = keyof typeof OCSF_CLASSES;

/** Activities per class (the class's activity_id enum); 99 is Other everywhere. */
const ACTIVITY_NAMES: Record<OcsfClass, Record<number, string>> = {
  account_change: {
    1: "Create",
    2: "Enable",
    3: "Password Change",
    4: "Password Reset",
    5: "Disable",
    6: "Delete",
    9: "Lock",
    10: "MFA Factor Enable",
    11: "MFA Factor Disable",
    99: "Other",
  },
  authentication: { 1: "Logon", 2: "Logoff", 99: "Other" },
  entity_management: { 1: "Create", 2: "Read", 3: "Update", 4: "Delete", 8: "Enable", 9: "Disable", 99: "Other" },
  api_activity: { 1: "Create", 2: "Read", 3: "Update", 4: "Delete", 99: "Other" },
};

/** Sign-in and sign-out actions (`user.login`, `user.login_failed`, `user.otp_verified`). */
const AUTH_ACTIONS: Record<string, number> = {
  login: 1,
  logon: 1,
  signin: 1,
  sign_in: 1,
  login_failed: 1,
  signin_failed: 1,
  sign_in_failed: 1,
  otp_verified: 1,
  otp_failed: 1,
  mfa_verified: 1,
  logout: 2,
  logoff: 2,
  signout: 2,
  sign_out: 2,
};

const ACCOUNT_ACTIONS: Record<string, number> = {
  created: 1,
  added: 1,
  joined: 1,
  registered: 1,
  enabled: 2,
  unlocked: 2,
  password_changed: 3,
  password_reset: 4,
  disabled: 5,
  deactivated: 5,
  deleted: 6,
  removed: 6,
  locked: 9,
  locked_out: 9,
  totp_enabled: 10,
  mfa_enabled: 10,
  two_factor_enabled: 10,
  totp_disabled: 11,
  mfa_disabled: 11,
  two_factor_disabled: 11,
};

/** Entity types whose changes are account changes. */
const ACCOUNT_ENTITIES = new Set(["user", "account", "member", "team_member"]);

const CRUD: Record<string, number> = {
  create: 1,
  created: 1,
  add: 1,
  added: 1,
  insert: 1,
  inserted: 1,
  read: 2,
  get: 2,
  view: 2,
  viewed: 2,
  list: 2,
  listed: 2,
  update: 3,
  updated: 3,
  change: 3,
  changed: 3,
  edit: 3,
  edited: 3,
  modified: 3,
  delete: 4,
  deleted: 4,
  remove: 4,
  removed: 4,
  revoke: 4,
  revoked: 4,
  destroy: 4,
  destroyed: 4,
};

const METHOD_CRUD: Record<string, number> = { POST: 1, GET: 2, HEAD: 2, PUT: 3, PATCH: 3, DELETE: 4 };

const SUCCESS = new Set(["success", "succeeded", "ok", "complete", "completed", "delivered", "allowed", "sent"]);
const FAILURE = new Set(["failure", "failed", "error", "blocked", "bounced", "rollback", "denied", "rejected"]);

function actionOf(type: string): string {
  return type.slice(type.lastIndexOf(".") + 1).toLowerCase();
}

function subjectOf(type: string): string {
  const dot = type.lastIndexOf(".");
  return dot < 0 ? "" : type.slice(0, dot).toLowerCase();
}

/** Which OCSF class an event becomes (README "OCSF mapping"). */
export function ocsfClassOf(event: Pick<StoredEvent, "category" | "type">): OcsfClass {
  const action = actionOf(event.type);
  const accountish = event.category === "auth" || event.category === "configuration";
  if (accountish && ACCOUNT_ENTITIES.has(subjectOf(event.type)) && AUTH_ACTIONS[action] === undefined) {
    if (ACCOUNT_ACTIONS[action] !== undefined || event.category === "configuration") return "account_change";
  }
  if (event.category === "auth") return "authentication";
  if (event.category === "configuration") return "entity_management";
  return "api_activity";
}

function activityOf(cls: OcsfClass, event: StoredEvent): number {
  const action = actionOf(event.type);
  const lifecycle = event.lifecycle_action?.toLowerCase();
  switch (cls) {
    case "account_change":
      return ACCOUNT_ACTIONS[action] ?? (lifecycle ? ACCOUNT_ACTIONS[lifecycle] : undefined) ?? 99;
    case "authentication":
      return AUTH_ACTIONS[action] ?? 99;
    case "entity_management": {
      if (action === "enabled" || lifecycle === "enabled") return 8;
      if (action === "disabled" || lifecycle === "disabled") return 9;
      return (lifecycle && CRUD[lifecycle]) || CRUD[action] || 99;
    }
    case "api_activity":
      return (
        (lifecycle && CRUD[lifecycle]) ||
        CRUD[action] ||
        (event.request?.method && METHOD_CRUD[event.request.method]) ||
        99
      );
  }
}

function statusOf(event: StoredEvent): { id: number; name: string } {
  const status = event.status?.toLowerCase();
  if (status && SUCCESS.has(status)) return { id: 1, name: "Success" };
  if (status && FAILURE.has(status)) return { id: 2, name: "Failure" };
  if (actionOf(event.type).endsWith("_failed")) return { id: 2, name: "Failure" };
  const code = event.request?.status_code;
  if (code !== undefined) return code < 400 ? { id: 1, name: "Success" } : { id: 2, name: "Failure" };
  if (status) return { id: 99, name: "Other" };
  return { id: 0, name: "Unknown" };
}

const SEVERITY: Record<number, string> = { 1: "Informational", 2: "Low", 3: "Medium" };

/** Informational; a failure Low; a failed sign-in or a blocked fraud check Medium. */
function severityOf(event: StoredEvent, statusId: number): number {
  if (statusId !== 2) return 1;
  return event.category === "auth" || event.category === "fraud" ? 3 : 2;
}

function userOf(actor: StoredEvent["actor"]): Json | undefined {
  if (!actor || (!actor.id && !actor.name && !actor.email)) return undefined;
  const typeId = actor.type === "system" ? 3 : actor.type === "admin" ? 2 : actor.type ? 99 : 0;
  return compact({
    uid: actor.id,
    name: actor.name ?? actor.email ?? actor.id,
    email_addr: actor.email,
    type_id: typeId,
    type: actor.type,
  });
}

function srcEndpoint(event: StoredEvent): Json | undefined {
  if (event.request?.ip) return { ip: event.request.ip };
  return undefined;
}

function resourceOf(entity: NonNullable<StoredEvent["entity"]>): Json | undefined {
  if (!entity.id && !entity.name) return undefined;
  return compact({ uid: entity.id, name: entity.name ?? entity.id, type: entity.type });
}

function compact(object: Json): Json {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined && v !== null));
}

/** Trailbook's fields that no OCSF attribute carries. */
function unmappedOf(event: StoredEvent): Json {
  const request = event.request;
  const extra = request
    ? compact({
        path: request.path,
        origin: request.origin,
        controller: request.controller,
        action: request.action,
        duration_ms: request.duration_ms,
        headers: request.headers,
        query: request.query,
        body: request.body,
        response_body: request.response_body,
      })
    : {};
  return compact({
    category: event.category,
    type: event.type,
    action: event.action,
    lifecycle_action: event.lifecycle_action,
    status: event.status,
    source: event.source,
    organization_id: event.organization_id,
    summary: event.summary,
    message: event.message,
    entity: event.entity,
    targets: event.targets,
    changes: event.changes,
    metadata: event.metadata,
    job_id: event.job_id,
    request: Object.keys(extra).length ? extra : undefined,
    actor_type: event.actor?.type,
    received_at: event.received_at,
    hash: event.hash,
  });
}

/** One stored event as an OCSF 1.3.0 event of its class. */
export function toOcsf(event: StoredEvent, project: { id: string; name: string }): Json {
  const cls = ocsfClassOf(event);
  const def: ClassDef = OCSF_CLASSES[cls];
  const activityId = activityOf(cls, event);
  const activityName = ACTIVITY_NAMES[cls][activityId] ?? "Other";
  const status = statusOf(event);
  const severityId = severityOf(event, status.id);
  const request = event.request;
  const user = userOf(event.actor);
  const src = srcEndpoint(event);
  const httpRequest = request
    ? compact({
        uid: request.id,
        http_method: request.method,
        url: request.path ? { path: request.path } : undefined,
        user_agent: request.user_agent,
      })
    : undefined;
  const base: Json = compact({
    class_uid: def.uid,
    class_name: def.name,
    category_uid: def.categoryUid,
    category_name: def.categoryName,
    activity_id: activityId,
    activity_name: activityName,
    type_uid: def.uid * 100 + activityId,
    type_name: `${def.name}: ${activityName}`,
    time: Date.parse(event.occurred_at),
    severity_id: severityId,
    severity: SEVERITY[severityId],
    status_id: status.id,
    status: status.name,
    status_detail: event.status,
    status_code: request?.status_code === undefined ? undefined : String(request.status_code),
    message: event.summary ?? event.message ?? event.type,
    metadata: compact({
      version: OCSF_VERSION,
      product: { name: "Trailbook", vendor_name: "Trailbook" },
      uid: event.id,
      event_code: event.type,
      log_name: event.category,
      original_time: event.occurred_at,
      logged_time: Date.parse(event.received_at),
      tenant_uid: project.id,
      correlation_uid: request?.id,
    }),
    src_endpoint: src,
    http_request: httpRequest && Object.keys(httpRequest).length ? httpRequest : undefined,
  });
  const resources = [event.entity, ...(event.targets ?? [])]
    .map((e) => (e ? resourceOf(e) : undefined))
    .filter((r): r is Json => r !== undefined);
  let specific: Json;
  switch (cls) {
    case "api_activity":
      specific = {
        actor: user ? { user } : { app_name: event.source ?? "unknown" },
        api: compact({
          operation: event.type,
          request: request?.id ? { uid: request.id } : undefined,
          response: request?.status_code === undefined ? undefined : { code: request.status_code },
          service: { name: project.name, uid: project.id },
        }),
        // OCSF requires where the call came from; without an address, the source names it.
        src_endpoint: src ?? { name: event.source ?? "unknown" },
        resources: resources.length ? resources : undefined,
        http_response: request?.status_code === undefined ? undefined : { code: request.status_code },
      };
      break;
    case "authentication":
      specific = {
        user: user ?? { name: "unknown" },
        service: { name: project.name, uid: project.id },
        is_mfa: /(otp|totp|mfa|two_factor)/.test(event.type.toLowerCase()) || undefined,
      };
      break;
    case "account_change": {
      const entity = event.entity;
      const target =
        entity && ACCOUNT_ENTITIES.has(entity.type ?? "") && (entity.id || entity.name)
          ? compact({ uid: entity.id, name: entity.name ?? entity.id })
          : undefined;
      specific = {
        user: target ?? user ?? { name: "unknown" },
        actor: target && user ? { user } : undefined,
      };
      break;
    }
    case "entity_management": {
      const entity = event.entity ? resourceOf(event.entity) : undefined;
      specific = {
        entity: entity ?? { name: event.entity?.type || subjectOf(event.type) || event.type },
        actor: user ? { user } : undefined,
      };
      break;
    }
  }
  return compact({ ...base, ...compact(specific), unmapped: unmappedOf(event) });
}
