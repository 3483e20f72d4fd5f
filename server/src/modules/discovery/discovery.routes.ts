import type { FastifyInstance } from 'fastify';
import { mount } from '../../http/route.ts';
import { badRequest } from '../../http/errors.ts';
import type { DiscoveryService } from './discovery.service.ts';

export function registerDiscoveryRoutes(app: FastifyInstance, discovery: DiscoveryService) {
  // Search runs on every keystroke (debounced) for the suggestions: rate limited per IP, generously.
  const typing = { rateLimit: { max: 600, timeWindow: '1 minute' } };
  mount(app, 'search', async (req) => discovery.search(req.query.q, req.query.type, req.query.limit, req.user), typing);
  mount(app, 'searchSuggest', async (req) => discovery.suggest(req.query.q, req.user), typing);
  mount(app, 'discover', async (req) => discovery.discover(req.user));
  mount(app, 'hashtag', async (req) => discovery.hashtag(req.params.tag));
  mount(app, 'hashtagVideos', async (req) => discovery.hashtagVideos(req.params.tag, req.query.sort, req.query.limit, req.query.cursor, req.user));
  mount(app, 'challenges', async () => discovery.challenges());
  mount(app, 'challenge', async (req) => discovery.challenge(req.params.slug, req.user));
  mount(app, 'createChallenge', async (req) => discovery.createChallenge(req.user, req.body));
  mount(app, 'updateChallenge', async (req) => discovery.updateChallenge(req.user, req.params.slug, req.body));
  mount(app, 'deleteChallenge', async (req) => discovery.deleteChallenge(req.user, req.params.slug));
  mount(app, 'uploadChallengeBanner', async (req) => {
    if (!req.raw.isMultipart()) throw badRequest('multipart_required', 'send the image as multipart/form-data in the field "file"');
    const file = await req.raw.file({ limits: { fileSize: 10 * 1024 * 1024 } });
    if (!file) throw badRequest('file_required', 'the form has no "file" field');
    const data = await file.toBuffer();
    if (data.length === 0) throw badRequest('empty_file', 'the image is empty');
    return discovery.setBanner(req.user, req.params.slug, data);
  });
}
