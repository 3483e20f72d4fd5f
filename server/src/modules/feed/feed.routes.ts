import type { FastifyInstance } from 'fastify';
import { mount } from '../../http/route.ts';
import type { FeedService } from './feed.service.ts';

export function registerFeedRoutes(app: FastifyInstance, feed: FeedService) {
  mount(app, 'forYou', async (req) => feed.forYou(req.user, req.query.limit, req.query.cursor));
  mount(app, 'following', async (req) => feed.following(req.user, req.query.limit, req.query.cursor));
}
