import { requireConfigured } from '../errors';
import type { RedisFanout } from '../live';
import { type AuditProcedures, router } from '../trpc';
import { toNotification, type NotificationRepository } from './notification.repository';
import { ZListNotificationsInput, ZMarkReadInput, type TNotification } from './notification.schema';
import { notificationTopic } from './notification.service';

/** A signed-in user's own notifications; `live` streams new ones over SSE from any API instance. */
export interface NotificationsRouterDeps {
  notifications: NotificationRepository;
  fanout: RedisFanout<TNotification>;
  clock?: () => Date;
}

export function createNotificationsRouter({ authedProcedure, watchLive }: AuditProcedures, configured: NotificationsRouterDeps | undefined) {
  const clock = configured?.clock ?? (() => new Date());
  const required = () => requireConfigured(configured, 'Notifications');
  return router({
    list: authedProcedure.input(ZListNotificationsInput).query(async ({ ctx, input }) => {
      const { tenantId, actorId } = ctx.caller;
      const { notifications } = required();
      const [items, unread] = await Promise.all([notifications.list(tenantId, actorId, input), notifications.countUnread(tenantId, actorId)]);
      return { items: items.map(toNotification), unread };
    }),

    markRead: authedProcedure.input(ZMarkReadInput).mutation(async ({ ctx, input }) => {
      const marked = await required().notifications.markRead(ctx.caller.tenantId, ctx.caller.actorId, input.ids, clock());
      return { marked };
    }),

    live: authedProcedure.subscription(async function* ({ ctx, signal }) {
      const { fanout } = required();
      const watch = watchLive(ctx, signal, { needsRead: false });
      try {
        yield* fanout.stream(notificationTopic(ctx.caller.tenantId, ctx.caller.actorId), watch.signal);
      } finally {
        watch.stop();
      }
      watch.throwIfEnded();
    }),
  });
}
