import type { FastifyInstance } from 'fastify';
import { mount } from '../../http/route.ts';
import type { SocialService } from './social.service.ts';

export function registerSocialRoutes(app: FastifyInstance, social: SocialService) {
  mount(app, 'profile', async (req) => social.profile(req.params.username, req.user));
  mount(app, 'userVideos', async (req) => social.userVideos(req.params.username, req.user, req.query.limit, req.query.cursor));
  mount(app, 'myVideos', async (req) => social.myVideos(req.user, req.query.limit, req.query.cursor));
  mount(app, 'follow', async (req) => social.follow(req.user, req.params.username));
  mount(app, 'unfollow', async (req) => social.unfollow(req.user, req.params.username));
}
