import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AdReportLevel, AdReportQuery } from '@flick/contracts';
import { mount } from '../../http/route.ts';
import { badRequest, unauthorized } from '../../http/errors.ts';
import type { Database } from '../../platform/db/db.ts';
import { adReportCsv, createAdsReports, type InsightSource } from './ads.reports.ts';

const CsvQuery = AdReportQuery.extend({ kind: z.enum(['series', 'breakdown', 'invalid']).default('series') }).strict();
const CsvParams = z.object({ level: AdReportLevel, id: z.string().uuid('not a campaign, ad group or ad id') });

const firstIssue = (e: z.ZodError, where: string) => {
  const issue = e.issues[0]!;
  return badRequest('invalid_request', `${issue.path.join('.') || where}: ${issue.message}`);
};

/**
 * Advertiser reports: JSON in the route table, CSV beside it. `insight` is the ad server's per-group auction view
 * (`AdServer.report`), passed in by the composition root; without it reports carry no auction insight.
 */
export function registerAdsReportRoutes(app: FastifyInstance, deps: { db: Database; insight?: InsightSource }) {
  const reports = createAdsReports(deps);
  mount(app, 'adReport', async (req) => reports.report(req.user, req.params.level, req.params.id, req.query));

  app.get(
    '/api/ads/reports/:level/:id/export.csv',
    {
      schema: {
        summary: 'An ad report as CSV (?kind=series|breakdown|invalid, from, to, bucket=hour|day); members of the advertiser',
        tags: ['ads'],
      },
    },
    async (req, reply) => {
      if (!req.user) throw unauthorized();
      const params = CsvParams.safeParse(req.params);
      if (!params.success) throw firstIssue(params.error, 'params');
      const query = CsvQuery.safeParse(req.query);
      if (!query.success) throw firstIssue(query.error, 'query');
      const { kind, ...q } = query.data;
      const r = await reports.report(req.user, params.data.level, params.data.id, q);
      const name = `flick-ads-${params.data.level}-${kind}-${r.from.slice(0, 10)}-${r.to.slice(0, 10)}.csv`;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('cache-control', 'no-store')
        .send(adReportCsv(r, kind));
    },
  );
}
