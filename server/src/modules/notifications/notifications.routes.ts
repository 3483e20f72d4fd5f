import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { mount } from '../../http/route.ts';
import { unauthorized } from '../../http/errors.ts';
import type { NotificationsService } from './notifications.service.ts';

export function registerNotificationRoutes(app: FastifyInstance, notifications: NotificationsService) {
  mount(app, 'notifications', async (req) => notifications.inbox(req.user.id, req.query.limit, req.query.cursor));
  mount(app, 'unreadNotifications', async (req) => notifications.unread(req.user.id).then((unread) => ({ unread })));
  mount(app, 'markNotificationsRead', async (req) => notifications.markRead(req.user.id, req.body));
  mount(app, 'notificationPrefs', async (req) => notifications.prefs(req.user.id));
  mount(app, 'updateNotificationPrefs', async (req) => notifications.setPrefs(req.user.id, req.body.prefs));

  // Live delivery while the app is open: Server-Sent Events carrying the unread count. Not JSON, so
  // outside the route table (documented in the `notifications` route's summary and architecture.md).
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
    open.clear();
  });
  app.get('/api/notifications/stream', { schema: { hide: true } }, async (req, reply) => {
    const user = req.user;
    if (!user) throw unauthorized();
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    open.add(res);
    let closed = false;
    let sending = false;
    let again = false;
    const send = async () => {
      if (sending) {
        again = true;
        return;
      }
      sending = true;
      try {
        do {
          again = false;
          const unread = await notifications.unread(user.id);
          if (!closed) res.write(`event: unread\ndata: ${JSON.stringify({ unread })}\n\n`);
        } while (again && !closed);
      } catch (err) {
        req.log.warn({ err }, 'notification stream update failed');
      } finally {
        sending = false;
      }
    };
    res.write('retry: 3000\n\n');
    const unsubscribe = notifications.subscribe(user.id, () => void send());
    const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
    const cleanup = () => {
      if (closed) return;
      closed = true;
      clearInterval(ping);
      unsubscribe();
      open.delete(res);
    };
    req.raw.on('close', cleanup);
    res.on('close', cleanup);
    await send();
  });
}
