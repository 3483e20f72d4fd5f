import type { FastifyInstance } from 'fastify';
import { mount } from '../../http/route.ts';
import { notFound } from '../../http/errors.ts';
import { clientOf } from '../../http/client.ts';
import type { FeedService } from './feed.service.ts';
import type { RecsysService } from '../recsys/recsys.service.ts';
import type { IdentityService } from '../identity/identity.service.ts';
import type { EventsService } from '../events/events.service.ts';

export function registerFeedRoutes(app: FastifyInstance, deps: { feed: FeedService; recsys: RecsysService; identity: IdentityService; events: EventsService }) {
  const { feed, recsys, identity, events } = deps;
  mount(app, 'forYou', async (req) => feed.forYou(req.user, req.query.limit, req.query.cursor, req.query.mode, clientOf(req.raw)));
  mount(app, 'following', async (req) => feed.following(req.user, req.query.limit, req.query.cursor));
  mount(app, 'notInterested', async (req) => {
    const { videoId, creator, hashtag } = req.body;
    const creatorRow = creator ? await identity.byUsername(creator) : undefined;
    if (creator && !creatorRow) throw notFound('user');
    if (creatorRow) await recsys.control(req.user.id, 'hide_creator', creatorRow.id);
    if (hashtag) await recsys.control(req.user.id, 'hide_hashtag', hashtag.replace(/^#/, '').toLowerCase());
    // A video-level "not interested" is also a signal the model learns from (and persists via the log).
    if (videoId) {
      await events.record(req.user.id, [{ id: `ni_${req.user.id.slice(0, 8)}_${videoId}`, type: 'not_interested', videoId }]);
      await recsys.sync();
    }
    return { ok: true as const };
  });
  mount(app, 'interestOptions', async () => ({ hashtags: recsys.engine.topHashtags(30) }));
  mount(app, 'setInterests', async (req) => {
    await recsys.control(req.user.id, 'interests', req.body.hashtags.map((h) => h.replace(/^#/, '')).join(','));
    return { ok: true as const };
  });
  mount(app, 'resetFeed', async (req) => {
    await recsys.control(req.user.id, 'reset');
    return { ok: true as const };
  });
}
