import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { formatDateTime } from './format';
import { useTRPC } from './trpc';

/** A bell with the unread count, kept current by `notifications.live` (SSE); opening it marks all as read. */
export function NotificationsBell() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const notifications = useQuery(trpc.auditLog.notifications.list.queryOptions({ limit: 10 }));
  useSubscription(
    trpc.auditLog.notifications.live.subscriptionOptions(undefined, {
      onData: () => {
        void queryClient.invalidateQueries(trpc.auditLog.notifications.list.queryFilter());
        // An export notification means its status changed too.
        void queryClient.invalidateQueries(trpc.auditLog.exports.pathFilter());
      },
    }),
  );
  const markRead = useMutation(
    trpc.auditLog.notifications.markRead.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.auditLog.notifications.list.queryFilter()) }),
  );

  const unread = notifications.data?.unread ?? 0;
  const toggle = () => {
    const opening = !open;
    setOpen(opening);
    const unreadIds = notifications.data?.items.filter((item) => !item.readAt).map((item) => item.id) ?? [];
    if (opening && unreadIds.length > 0) markRead.mutate({ ids: unreadIds });
  };

  return (
    <div className="bell">
      <button
        type="button"
        className="icon-button bell-button"
        aria-haspopup="true"
        aria-expanded={open}
        aria-label={unread > 0 ? `Notifications, ${unread} unread` : 'Notifications'}
        onClick={toggle}
      >
        <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
          <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z" />
        </svg>
        {unread > 0 && (
          <span className="badge" data-testid="unread-count">
            {unread}
          </span>
        )}
      </button>
      {open && (
        <div className="popover" role="region" aria-label="Notifications" onKeyDown={(event) => event.key === 'Escape' && setOpen(false)}>
          {notifications.isError && <p className="form-error">Could not load notifications.</p>}
          {notifications.data?.items.length === 0 && <p className="muted">No notifications yet. You are told here when an export is ready.</p>}
          <ul>
            {notifications.data?.items.map((item) => (
              <li key={item.id} className={item.readAt ? 'notification' : 'notification notification-unread'}>
                <p className="notification-title">{item.title}</p>
                <p>{item.body}</p>
                <p className="muted">
                  <time dateTime={item.createdAt.toISOString()}>{formatDateTime(item.createdAt)}</time>
                  {item.link && (
                    <>
                      {' · '}
                      <a href={item.link} download>
                        Download
                      </a>
                    </>
                  )}
                </p>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
