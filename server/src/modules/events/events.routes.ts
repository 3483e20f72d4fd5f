import type { FastifyInstance } from 'fastify';
import { mount } from '../../http/route.ts';
import type { EventsService } from './events.service.ts';
import type { RecsysService } from '../recsys/recsys.service.ts';

export function registerEventRoutes(app: FastifyInstance, events: EventsService, recsys: RecsysService) {
  // sendBeacon posts text/plain or application/json; both carry JSON here.
  app.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(Object.assign(new Error('body is not valid JSON'), { statusCode: 400 }));
    }
  });
  mount(
    app,
    'events',
    async (req) => {
      const result = await events.record(req.user?.id ?? null, req.body.events);
      // Learn before answering, so the very next page this user asks for reflects these events.
      if (result.accepted) await recsys.sync();
      return result;
    },
    { rateLimit: { max: 600, timeWindow: '1 minute' } },
  );
}
