import type { FastifyInstance } from 'fastify';
import { mount } from '../../http/route.ts';
import type { AdsService } from './ads.service.ts';

export function registerAdsRoutes(app: FastifyInstance, ads: AdsService) {
  mount(app, 'createAdvertiser', async (req) => ads.createAdvertiser(req.user, req.body));
  mount(app, 'myAdvertisers', async (req) => ads.myAdvertisers(req.user));
  mount(app, 'createCampaign', async (req) => ads.createCampaign(req.user, req.params.id, req.body));
  mount(app, 'campaigns', async (req) => ads.campaigns(req.user, req.params.id));
  mount(app, 'updateCampaign', async (req) => ads.updateCampaign(req.user, req.params.id, req.body));
  mount(app, 'duplicateCampaign', async (req) => ads.duplicateCampaign(req.user, req.params.id));
  mount(app, 'createAdGroup', async (req) => ads.createAdGroup(req.user, req.params.id, req.body));
  mount(app, 'adGroups', async (req) => ads.adGroups(req.user, req.params.id));
  mount(app, 'updateAdGroup', async (req) => ads.updateAdGroup(req.user, req.params.id, req.body.status));
  mount(app, 'createAd', async (req) => ads.createAd(req.user, req.params.id, req.body));
  mount(app, 'ads', async (req) => ads.ads(req.user, req.params.id));
  mount(app, 'adReviewQueue', async (req) => ads.reviewQueue(req.user));
  mount(app, 'reviewAd', async (req) => ads.review(req.user, req.params.id, req.body.decision, req.body.reason));
}
