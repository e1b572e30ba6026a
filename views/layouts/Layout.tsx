import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { ASSET_URLS } from "../assets";
import type { ChipLink } from "../components/Chips";
import { PostButton } from "../components/PostButton";
import { TimeSwitch, type TimeView } from "../components/time";

export type LayoutUser = { email: string; name: string };
export type LayoutProject = { id: string; name: string };
export type NavItem = { href: string; label: string; current?: boolean };

/** What surrounds every page: the script nonce, and who is signed in, in which project, with what navigation. */
export type Frame = {
  nonce?: string | undefined;
  user?: LayoutUser | undefined;
  project?: LayoutProject | undefined;
  nav?: NavItem[] | undefined;
  /** The pages of the current section (Settings, Exports & tasks), as tabs above the page. */
  tabs?: NavItem[] | undefined;
  notifications?: NavItem | undefined;
  /** The other projects of the user, for the switcher. */
  projects?: LayoutProject[] | undefined;
  /** How this page shows times, and the links that change it. */
  time?: (TimeView & { chips: ChipLink[] }) | undefined;
  operator?: boolean | undefined;
  /** An embedded viewer: no navigation, only the page, its own look and the script that reports its height. */
  embed?: { stylesheet: string; script: string; className: string; origins: string[] } | undefined;
};
/** The frame of a project's pages: always a member, a project, its navigation and its time display. */
export type ProjectFrame = Frame & {
  user: LayoutUser;
  project: LayoutProject;
  nav: NavItem[];
  time: TimeView & { chips: ChipLink[] };
  /** Where the project's pages are: `/p/<id>`, or an embedded viewer's session. */
  base: string;
};

type Props = Frame & {
  title: string;
  /** Explorer pages: links and GET forms swap the page with htmx (history kept, no full reload). */
  boost?: boolean | undefined;
  children: Child;
};

/** A menu that opens in place (a `<details>`), so it works without script. */
function Menu({ label, class: cls, children }: { label: Child; class?: string; children: Child }) {
  return (
    <details class={`switcher ${cls ?? ""}`.trim()}>
      <summary class="chip">{label}</summary>
      <div class="menu">{children}</div>
    </details>
  );
}

function ProjectSwitcher({ project, projects }: { project: LayoutProject; projects: LayoutProject[] }) {
  return (
    <Menu label={<span class="project-name">{project.name}</span>} class="projects">
      {projects.map((p) => (
        <a href={`/p/${p.id}/events`} aria-current={p.id === project.id ? "page" : undefined}>
          {p.name}
        </a>
      ))}
      <a href="/projects">All projects…</a>
    </Menu>
  );
}

/** The page shell: head, top bar with the project switcher, navigation, time display and user menu. */
export function Layout(props: Props) {
  const { title, nonce, user, project, nav, tabs, boost, children, embed } = props;
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
          {/* No injected indicator <style> and no settling of style attributes (the CSP allows no
            inline styles, and a browser may give a typed-in field an empty one, which settling would
            copy); error answers are swapped like any other so their messages show; history is
            re-fetched, never stale. */}
          <meta
            name="htmx-config"
            content='{"includeIndicatorStyles":false,"attributesToSettle":["class","width","height"],"historyCacheSize":0,"refreshOnHistoryMiss":true,"responseHandling":[{"code":"204","swap":false},{"code":"[2345]..","swap":true}]}'
          />
          <script src={ASSET_URLS.htmx} nonce={nonce} defer></script>
          <script src={ASSET_URLS.app} nonce={nonce} defer></script>
          {embed && <link rel="stylesheet" href={embed.stylesheet} />}
          {embed && <script src={embed.script} nonce={nonce} defer></script>}
        </head>
        <body class={embed?.className} data-parent-origins={embed ? embed.origins.join(" ") : undefined}>
          <div id="progress" class="progress htmx-indicator" aria-hidden="true"></div>
          <a class="skip" href="#main">
            Skip to content
          </a>
          {embed && props.time && (
            <header class="embedbar">
              <TimeSwitch chips={props.time.chips} />
            </header>
          )}
          {user && !embed && (
            <header class="topbar">
              <a class="brand" href="/">
                Trailbook
              </a>
              {project && <ProjectSwitcher project={project} projects={props.projects ?? [project]} />}
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
                {props.time && <TimeSwitch chips={props.time.chips} />}
                {props.notifications && (
                  <a
                    class="notifications"
                    href={props.notifications.href}
                    aria-current={props.notifications.current ? "page" : undefined}
                  >
                    {props.notifications.label}
                  </a>
                )}
                <Menu label={<span class="user-name">{user.email}</span>} class="user">
                  <a href="/account">Your account</a>
                  <a href="/projects">Your projects</a>
                  {props.operator && <a href="/operator/shards">Event shards</a>}
                  <a href="/docs">API reference</a>
                  <PostButton action="/logout" kind="secondary">
                    Sign out
                  </PostButton>
                </Menu>
              </div>
            </header>
          )}
          <main id="main" hx-boost={boost ? "true" : undefined} hx-indicator={boost ? "#progress" : undefined}>
            {tabs && tabs.length > 0 && (
              <nav class="tabs section-tabs" aria-label="Section">
                {tabs.map((t) => (
                  <a href={t.href} aria-current={t.current ? "page" : undefined}>
                    {t.label}
                  </a>
                ))}
              </nav>
            )}
            {children}
          </main>
        </body>
      </html>
    </>
  );
}
