import { Badge } from "../components/Badge";
import { DataTable } from "../components/DataTable";
import { Choice, Submit } from "../components/FormRow";
import { PostButton } from "../components/PostButton";
import { At } from "../components/time";
import { projectPage } from "../layouts/page";

export type NotificationRow = {
  id: string;
  type: string;
  title: string;
  body: string | null;
  link: string | null;
  createdAt: string;
};

export type SubscriptionOption = { type: string; label: string; checked: boolean };

/** A notification's title, linked to what it is about, over its text. */
export function NoticeText({ notice }: { notice: Pick<NotificationRow, "title" | "body" | "link"> }) {
  return (
    <>
      {notice.link ? <a href={notice.link}>{notice.title}</a> : notice.title}
      {notice.body && <div class="muted">{notice.body}</div>}
    </>
  );
}

export type NotificationsProps = {
  notifications: NotificationRow[];
  archived: boolean;
  subscriptions: SubscriptionOption[];
  saved?: boolean;
};

export const Notifications = projectPage({
  title: "Notifications",
  section: "/notifications",
  Body: (props: NotificationsProps, { project, time }) => {
    const base = `/p/${project.id}/notifications`;
    return (
      <>
        <div class="toolbar">
          <h1>{props.archived ? "Archived notifications" : "Notifications"}</h1>
          <div class="group">
            <a class="chip" href={props.archived ? base : `${base}?archived=1`}>
              {props.archived ? "Show unread" : "Show archived"}
            </a>
            {!props.archived && props.notifications.length > 0 && (
              <PostButton action={`${base}/archive`} kind="secondary">
                Archive all
              </PostButton>
            )}
          </div>
        </div>
        <DataTable
          rows={props.notifications}
          empty={{ title: props.archived ? "Nothing archived." : "You are all caught up." }}
          columns={[
            { class: "nowrap mono", cell: (n) => <At at={n.createdAt} time={time} /> },
            { cell: (n) => <Badge tone="info">{n.type}</Badge> },
            { cell: (n) => <NoticeText notice={n} /> },
            {
              cell: (n) =>
                !props.archived && (
                  <PostButton action={`${base}/${n.id}/archive`} kind="secondary">
                    Archive
                  </PostButton>
                ),
            },
          ]}
        />
        <h2>E-mail me about</h2>
        {props.saved && (
          <p class="muted" role="status">
            Saved.
          </p>
        )}
        <form method="post" action={`${base}/subscriptions`} class="card stack">
          {props.subscriptions.map((o) => (
            <Choice name="type" value={o.type} checked={o.checked} label={o.label} />
          ))}
          <Submit kind="secondary">Save e-mail choices</Submit>
        </form>
      </>
    );
  },
});
