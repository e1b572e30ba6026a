import type { Child } from "hono/jsx";
import { ASSET_URLS } from "../assets";

export type LayoutUser = { email: string; name: string };
export type LayoutProject = { id: string; name: string };
export type NavItem = { href: string; label: string; current?: boolean };

type Props = {
  title: string;
  nonce?: string | undefined;
  user?: LayoutUser | undefined;
  project?: LayoutProject | undefined;
  nav?: NavItem[] | undefined;
  children: Child;
};

/** The page shell: head, top bar with the project's navigation and the signed-in user. */
export function Layout({ title, nonce, user, project, nav, children }: Props) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{project ? `${title} · ${project.name} · Trailbook` : `${title} · Trailbook`}</title>
        <link rel="stylesheet" href={ASSET_URLS.styles} />
        {/* htmx must not inject its indicator <style>: the CSP allows no inline styles. */}
        <meta name="htmx-config" content='{"includeIndicatorStyles":false,"historyCacheSize":0}' />
        <script src={ASSET_URLS.htmx} nonce={nonce} defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
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
              <form method="post" action="/logout">
                <button type="submit" class="secondary">
                  Sign out
                </button>
              </form>
            </div>
          </header>
        )}
        <main id="main">{children}</main>
      </body>
    </html>
  );
}
