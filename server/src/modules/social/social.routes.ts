import type { FastifyInstance } from 'fastify';
import { mount } from '../../http/route.ts';
import type { SocialService } from './social.service.ts';

export function registerSocialRoutes(app: FastifyInstance, social: SocialService) {
  mount(app, 'profile', async (req) => social.profile(req.params.username, req.user));
  mount(app, 'userVideos', async (req) => social.userVideos(req.params.username, req.user, req.query.limit, req.query.cursor));
  mount(app, 'myVideos', async (req) => social.myVideos(req.user, req.query.limit, req.query.cursor));
  mount(app, 'follow', async (req) => social.follow(req.user, req.params.username, req.query.videoId));
  mount(app, 'unfollow', async (req) => social.unfollow(req.user, req.params.username));
  mount(app, 'followers', async (req) => social.followers(req.params.username, req.user, req.query.limit, req.query.cursor));
  mount(app, 'followingList', async (req) => social.following(req.params.username, req.user, req.query.limit, req.query.cursor));
  mount(app, 'followRequests', async (req) => social.followRequests(req.user, req.query.limit, req.query.cursor));
  mount(app, 'approveFollowRequest', async (req) => social.approveRequest(req.user, req.params.username));
  mount(app, 'declineFollowRequest', async (req) => social.declineRequest(req.user, req.params.username));
  mount(app, 'removeFollower', async (req) => social.removeFollower(req.user, req.params.username));
  mount(app, 'block', async (req) => social.block(req.user, req.params.username));
  mount(app, 'unblock', async (req) => social.unblock(req.user, req.params.username));
  mount(app, 'mute', async (req) => social.mute(req.user, req.params.username));
  mount(app, 'unmute', async (req) => social.unmute(req.user, req.params.username));
  mount(app, 'blockedUsers', async (req) => social.blockedUsers(req.user, req.query.limit, req.query.cursor));
  mount(app, 'engagementSettings', async (req) => social.settings(req.user));
  mount(app, 'updateEngagementSettings', async (req) => social.updateSettings(req.user, req.body));
}
