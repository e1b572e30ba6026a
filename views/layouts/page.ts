import type { Child } from "hono/jsx";
import type { Frame, ProjectFrame } from "./Layout";

/**
 * A dashboard page: its body, a pure function of its props (and of the frame, for the project's
 * id in its links), and what the shell around it needs. Routes hand a page and its props to the
 * renderer (`renderPage` in src/routes/dashboard/frame.ts), which adds the frame and the shell.
 */
export type Page<P, F extends Frame = Frame> = {
  /** The document title; the shell adds the project's name and "Trailbook". */
  title: string | ((props: P) => string);
  /** The navigation item the page belongs to, e.g. "/exports" (project pages). */
  section?: string;
  /** Links and GET forms swap the page with htmx (the explorer's pages). */
  boost?: boolean;
  Body: (props: P, frame: F) => Child;
};

/** A page outside any project: sign-in, invitations, the account and the project list. */
export function page<P>(def: Page<P>): Page<P> {
  return def;
}

/** A page of one project, shown with the project's navigation. */
export function projectPage<P>(def: Page<P, ProjectFrame>): Page<P, ProjectFrame> {
  return def;
}
