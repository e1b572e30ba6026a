import type { Project, Session, User } from "./db/schema";
import type { Access } from "./lib/permissions";
import type { KeyContext, MemberContext, ServiceContext, UserContext } from "./services/context";
import type { MyProject } from "./services/members/types";

/** Every request: its id and the service context the request middleware builds once. */
export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    ctx: ServiceContext;
  };
};

/** API routes behind a key: the context's actor is the key, its project the key's. */
export type KeyEnv = {
  Bindings: Env;
  Variables: AppEnv["Variables"] & { ctx: KeyContext };
};

/** Dashboard routes behind sign-in. */
export type SignedInEnv = {
  Bindings: Env;
  Variables: AppEnv["Variables"] & { ctx: UserContext; user: User; session: Session; secureHeadersNonce?: string };
};

/** Dashboard routes of one project: the member's role and organisation scope. */
export type ProjectEnv = {
  Bindings: Env;
  Variables: SignedInEnv["Variables"] & {
    ctx: MemberContext;
    project: Project;
    access: Access;
    unread: number;
    /** The member's projects, for the header's switcher (read with the membership). */
    myProjects?: MyProject[] | undefined;
    /** Set when the explorer runs as an embedded viewer (README "Embeddable viewer"): no member, no user. */
    embed?: EmbedView | undefined;
  };
};

/** An embedded viewer's frame: where its pages are, its look, and who may hear its height. */
export type EmbedView = {
  base: string;
  stylesheet: string;
  script: string;
  className: string;
  columns: string[];
  origins: string[];
  accent?: string | undefined;
};
