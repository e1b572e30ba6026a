import type { MemberRole, Project } from "../../db/schema";
import type { Access } from "../../lib/permissions";
import type { PlacementRef } from "../context";

/** A member's access to a project, with where its events live and their unread count. */
export type Membership = { project: Project; placement: PlacementRef; access: Access; unread: number };

/**
 * One of the signed-in user's projects, for the project switcher. `role`: the built-in role, or a
 * custom role's name.
 */
export type MyProject = { id: string; name: string; role: MemberRole | string; organizationId: string | null };
