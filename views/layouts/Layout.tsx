import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { ASSET_URLS } from "../assets";
import { PostButton } from "../components/PostButton";

export type LayoutUser = { email: string; name: string };
export type LayoutProject = { id: string; name: string };
export type NavItem = { href: string; label: string; current?: boolean };

/** What surrounds every page: the script nonce, and who is signed in, in which project, with what navigation. */
export type Frame = {
  nonce?: string | undefined;
  user?: LayoutUser | undefined;
  project?: LayoutProject | undefined;
  nav?: NavItem[] | undefined;
};
/** The frame of a project's pages: always a member, a project and its navigation. */
export type ProjectFrame = Frame & { user: LayoutUser; project: LayoutProject; nav: NavItem[] };

type Props = Frame & {
  title: string;
  /** How timestamps show; app.js reads it for the viewer's local time. */
  timeMode?: string | undefined;
  /** Explorer pages: links and GET forms swap the page with htmx (history kept, no full reload). */
  boost?: boolean | undefined;
  children: Child;
};

/** The page shell: head, top bar with the project's navigation and the signed-in user. */
export function Layout({ title, nonce, user, project, nav, timeMode, boost, children }: Props) {
  // Standards mode: without a doctype browsers lay the page out in quirks mode.
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{project ? `${title} · ${project.name} · Trailbook` : `${title} · Trailbook`}</title>
          <link rel="stylesheet" href={ASSET_URLS.styles} />
          {/* No injected indicator <style> (the CSP allows no inline styles); error answers are
            swapped like any other so their messages show; history is re-fetched, never stale. */}
          <meta
            name="htmx-config"
            content='{"includeIndicatorStyles":false,"historyCacheSize":0,"refreshOnHistoryMiss":true,"responseHandling":[{"code":"204","swap":false},{"code":"[2345]..","swap":true}]}'
          />
          <script src={ASSET_URLS.htmx} nonce={nonce} defer></script>
          <script src={ASSET_URLS.app} nonce={nonce} defer></script>
        </head>
        <body data-time={timeMode ?? "project"}>
          <div id="progress" class="progress htmx-indicator" aria-hidden="true"></div>
          <a class="skip" href="#main">
            Skip to content
          </a>
          {user && (
            <header class="topbar">
              <a class="brand" href="/">
                Trailbook
              </a>
              {project && <span class="muted">{project.name}</span>}
              {nav && (
                <nav class="topnav" aria-label="Project">
                  {nav.map((item) => (
                    <a href={item.href} aria-current={item.current ? "page" : undefined}>
                      {item.label}
                    </a>
                  ))}
                </nav>
              )}
              <div class="who">
                <a href="/account" title={user.name}>
                  {user.email}
                </a>
                <PostButton action="/logout" kind="secondary">
                  Sign out
                </PostButton>
              </div>
            </header>
          )}
          <main id="main" hx-boost={boost ? "true" : undefined} hx-indicator={boost ? "#progress" : undefined}>
            {children}
          </main>
        </body>
      </html>
    </>
  );
}
