import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { mount } from '../../http/route.ts';
import { badRequest, forbidden, unauthorized } from '../../http/errors.ts';
import type { Database } from '../../platform/db/db.ts';
import type { AdsService } from './ads.service.ts';
import type { AdsBilling } from './ads.billing.ts';
import type { SponsoredChallenges } from './sponsored-challenges.ts';
import { clientOf } from '../../http/client.ts';
import { viewerKeyOf, type AdsRuntime } from './ads.runtime.ts';
import type { AdMembers } from './ads.members.ts';
import type { AdAudiences } from './ads.audiences.ts';
import { invoiceCsv, type AdInvoices } from './ads.invoices.ts';
import { InvoiceMonth } from '@flick/contracts';

const header = (req: FastifyRequest, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
// A transparent 1×1 GIF.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const PixelQuery = z.object({
  a: z.string().uuid('a: not an advertiser id'),
  e: z.string().trim().min(1).max(64),
  id: z.string().trim().min(1).max(128),
  v: z.coerce.number().int().min(0).max(100_000_000).default(0),
  click: z.string().max(64).optional(),
});

export function registerAdsRoutes(
  app: FastifyInstance,
  deps: {
    ads: AdsService;
    billing: AdsBilling;
    runtime: AdsRuntime;
    challenges: SponsoredChallenges;
    db: Database;
    members: AdMembers;
    audiences: AdAudiences;
    invoices: AdInvoices;
  },
) {
  const { ads, billing, runtime, challenges, db, members, audiences, invoices } = deps;
  // A change that can start or stop delivery reaches the ad server before the answer.
  const live = async <T>(p: Promise<T>) => {
    const r = await p;
    await runtime.refresh();
    return r;
  };
  mount(app, 'createAdvertiser', async (req) => ads.createAdvertiser(req.user, req.body));
  mount(app, 'myAdvertisers', async (req) => ads.myAdvertisers(req.user));
  mount(app, 'createCampaign', async (req) => ads.createCampaign(req.user, req.params.id, req.body));
  mount(app, 'campaigns', async (req) => ads.campaigns(req.user, req.params.id));
  mount(app, 'updateCampaign', async (req) => live(ads.updateCampaign(req.user, req.params.id, req.body)));
  mount(app, 'duplicateCampaign', async (req) => ads.duplicateCampaign(req.user, req.params.id));
  mount(app, 'createAdGroup', async (req) => ads.createAdGroup(req.user, req.params.id, req.body));
  mount(app, 'adGroups', async (req) => ads.adGroups(req.user, req.params.id));
  mount(app, 'updateAdGroup', async (req) => live(ads.updateAdGroup(req.user, req.params.id, req.body.status)));
  mount(app, 'createAd', async (req) => ads.createAd(req.user, req.params.id, req.body));
  mount(app, 'ads', async (req) => ads.ads(req.user, req.params.id));
  mount(app, 'adReviewQueue', async (req) => ads.reviewQueue(req.user));
  mount(app, 'reviewAd', async (req) => live(ads.review(req.user, req.params.id, req.body.decision, req.body.reason)));

  mount(app, 'adMembers', async (req) => members.list(req.user, req.params.id));
  mount(app, 'addAdMember', async (req) => members.add(req.user, req.params.id, req.body), { rateLimit: { max: 60, timeWindow: '10 minutes' } });
  mount(app, 'updateAdMember', async (req) => members.update(req.user, req.params.id, req.params.userId, req.body.role));
  mount(app, 'removeAdMember', async (req) => members.remove(req.user, req.params.id, req.params.userId));
  mount(app, 'adAudiences', async (req) => audiences.list(req.user, req.params.id));
  mount(app, 'createLookalike', async (req) => audiences.create(req.user, req.params.id, req.body), { rateLimit: { max: 30, timeWindow: '10 minutes' } });
  mount(app, 'refreshLookalike', async (req) => audiences.refresh(req.user, req.params.id), { rateLimit: { max: 30, timeWindow: '10 minutes' } });
  mount(app, 'adInvoices', async (req) => invoices.list(req.user, req.params.id));
  mount(app, 'adInvoice', async (req) => invoices.invoice(req.user, req.params.id, req.params.month));
  app.get<{ Params: { id: string; month: string } }>(
    '/api/ads/advertisers/:id/invoices/:month/invoice.csv',
    { schema: { summary: 'A monthly invoice as CSV (members of the advertiser)', tags: ['ads'] } },
    async (req, reply) => {
      if (!req.user) throw unauthorized();
      if (!z.string().uuid().safeParse(req.params.id).success) throw badRequest('invalid_request', 'id: not an advertiser id');
      const month = InvoiceMonth.safeParse(req.params.month);
      if (!month.success) throw badRequest('invalid_request', 'month: month must be YYYY-MM');
      const inv = await invoices.invoice(req.user, req.params.id, month.data);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${inv.number}.csv"`)
        .header('cache-control', 'no-store')
        .send(invoiceCsv(inv));
    },
  );

  mount(app, 'buySponsoredChallenge', async (req) => challenges.buy(req.user, req.params.id, req.body));
  mount(app, 'sponsoredChallenges', async (req) => challenges.list(req.user, req.params.id));
  mount(app, 'sponsoredChallengeReport', async (req) => challenges.report(req.user, req.params.id));
  mount(app, 'adBalance', async (req) => billing.balance(req.user, req.params.id));
  mount(app, 'adTopUp', async (req) => billing.topUp(req.user, req.params.id, req.body), { rateLimit: { max: 20, timeWindow: '10 minutes' } });
  mount(app, 'adTrack', async (req) => runtime.track(req.user, clientOf(req.raw), req.body.events), { rateLimit: { max: 600, timeWindow: '1 minute' } });
  mount(app, 'adConversionsKey', async (req) => {
    if ((await billing.roleOf(req.user, req.params.id)) === 'analyst') throw forbidden('analysts cannot manage keys', 'analyst_read_only');
    const key = `fck_${crypto.randomBytes(24).toString('base64url')}`;
    await db
      .updateTable('advertisers')
      .set({ conversions_key_hash: sha256(key) })
      .where('id', '=', req.params.id)
      .execute();
    return { key };
  });
  mount(
    app,
    'adConversions',
    async (req) => {
      const token = header(req.raw, 'authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
      if (!token) throw unauthorized('the conversions API needs "Authorization: Bearer <conversions key>"');
      const adv = await db.selectFrom('advertisers').select('id').where('conversions_key_hash', '=', sha256(token)).executeTakeFirst();
      if (!adv) throw unauthorized('unknown conversions key');
      const results = [];
      for (const e of req.body.events) {
        const r = await runtime.convert(adv.id, 'api', { ...e, occurredAt: e.occurredAt ? new Date(e.occurredAt) : undefined });
        results.push({ eventId: e.eventId, ...r });
      }
      return { results };
    },
    { rateLimit: { max: 600, timeWindow: '1 minute' } },
  );

  // Not JSON, so outside the contract table: the click redirect and the conversion pixel.
  app.get<{ Params: { id: string } }>('/r/ad/:id', { config: { rateLimit: { max: 120, timeWindow: '1 minute' } } }, async (req, reply) => {
    const to = await runtime.click(req.params.id, req.user, clientOf(req));
    if (!to) return reply.status(404).type('text/plain').send('This ad link is not valid.');
    return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(to, 302);
  });
  app.get('/api/ads/pixel.gif', { config: { rateLimit: { max: 600, timeWindow: '1 minute' } } }, async (req, reply) => {
    const q = PixelQuery.safeParse(req.query);
    reply.header('cache-control', 'no-store').type('image/gif');
    if (!q.success) {
      req.log.info({ issues: q.error.issues }, 'conversion pixel with bad parameters');
      throw badRequest('invalid_pixel', q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    }
    const known = await db.selectFrom('advertisers').select('id').where('id', '=', q.data.a).executeTakeFirst();
    if (known)
      await runtime.convert(q.data.a, 'pixel', {
        eventId: q.data.id,
        event: q.data.e,
        valueCents: q.data.v,
        clickId: q.data.click,
        viewerKey: viewerKeyOf(req.user, clientOf(req)),
      });
    return reply.send(PIXEL);
  });
}
