import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AnalyticsQuery } from '@flick/contracts';
import { mount } from '../../http/route.ts';
import { badRequest, unauthorized } from '../../http/errors.ts';
import { analyticsCsv, type AnalyticsService } from './analytics.service.ts';

const CsvQuery = AnalyticsQuery.extend({
  kind: z.enum(['videos', 'daily', 'audience']).default('videos'),
  videoId: z.string().uuid('not a video id').optional(),
}).strict();

export function registerAnalyticsRoutes(app: FastifyInstance, analytics: AnalyticsService) {
  mount(app, 'analytics', async (req) => analytics.overview(req.user, req.query.days, req.query.user));
  mount(app, 'videoAnalytics', async (req) => analytics.video(req.user, req.params.id, req.query.days));

  // CSV is not JSON, so it sits beside the route table (documented in OpenAPI by Fastify all the same).
  app.get(
    '/api/analytics/export.csv',
    { schema: { summary: 'Creator analytics as CSV (?kind=videos|daily|audience, days, user for staff, videoId)', tags: ['analytics'] } },
    async (req, reply) => {
      if (!req.user) throw unauthorized();
      const parsed = CsvQuery.safeParse(req.query);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw badRequest('invalid_request', `${issue.path.join('.') || 'query'}: ${issue.message}`);
      }
      const q = parsed.data;
      const a = q.videoId ? await analytics.video(req.user, q.videoId, q.days) : await analytics.overview(req.user, q.days, q.user);
      const name = `flick-analytics-${q.kind}-${q.days}d.csv`;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('cache-control', 'no-store')
        .send(analyticsCsv(a, q.kind));
    },
  );
}
