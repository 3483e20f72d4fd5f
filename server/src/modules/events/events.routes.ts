import type { FastifyInstance } from 'fastify';
import { mount } from '../../http/route.ts';
import type { EventsService } from './events.service.ts';

export function registerEventRoutes(app: FastifyInstance, events: EventsService) {
  // sendBeacon posts text/plain or application/json; both carry JSON here.
  app.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(Object.assign(new Error('body is not valid JSON'), { statusCode: 400 }));
    }
  });
  mount(app, 'events', async (req) => events.record(req.user?.id ?? null, req.body.events), { rateLimit: { max: 600, timeWindow: '1 minute' } });
}
