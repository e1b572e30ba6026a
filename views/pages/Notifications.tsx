import { utcText } from "../components/time";
import { Layout, type LayoutProject, type LayoutUser, type NavItem } from "../layouts/Layout";

type Frame = { nonce?: string | undefined; user: LayoutUser; project: LayoutProject; nav: NavItem[] };
export type NotificationRow = {
  id: string;
  type: string;
  title: string;
  body: string | null;
  link: string | null;
  createdAt: string;
};

export type SubscriptionOption = { type: string; label: string; checked: boolean };

export function Notifications(
  props: Frame & {
    notifications: NotificationRow[];
    archived: boolean;
    subscriptions: SubscriptionOption[];
    saved?: boolean;
  },
) {
  const base = `/p/${props.project.id}/notifications`;
  return (
    <Layout title="Notifications" nonce={props.nonce} user={props.user} project={props.project} nav={props.nav}>
      <div class="toolbar">
        <h1>{props.archived ? "Archived notifications" : "Notifications"}</h1>
        <div class="group">
          <a class="chip" href={props.archived ? base : `${base}?archived=1`}>
            {props.archived ? "Show unread" : "Show archived"}
          </a>
          {!props.archived && props.notifications.length > 0 && (
            <form method="post" action={`${base}/archive`}>
              <button type="submit" class="secondary">
                Archive all
              </button>
            </form>
          )}
        </div>
      </div>
      {props.notifications.length === 0 ? (
        <div class="card empty">{props.archived ? "Nothing archived." : "You are all caught up."}</div>
      ) : (
        <div class="table-wrap">
          <table class="data">
            <tbody>
              {props.notifications.map((n) => (
                <tr>
                  <td class="nowrap mono">{utcText(n.createdAt)}</td>
                  <td>
                    <span class="badge info">{n.type}</span>
                  </td>
                  <td>
                    {n.link ? <a href={n.link}>{n.title}</a> : n.title}
                    {n.body && <div class="muted">{n.body}</div>}
                  </td>
                  <td>
                    {!props.archived && (
                      <form method="post" action={`${base}/${n.id}/archive`}>
                        <button type="submit" class="secondary">
                          Archive
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>E-mail me about</h2>
      {props.saved && (
        <p class="muted" role="status">
          Saved.
        </p>
      )}
      <form method="post" action={`${base}/subscriptions`} class="card stack">
        {props.subscriptions.map((o) => (
          <label class="fit">
            <span>
              <input type="checkbox" name="type" value={o.type} checked={o.checked} /> {o.label}
            </span>
          </label>
        ))}
        <div>
          <button type="submit" class="secondary">
            Save e-mail choices
          </button>
        </div>
      </form>
    </Layout>
  );
}
