import type { FastifyInstance } from 'fastify';
import { mount } from '../../http/route.ts';
import type { EngagementService } from './engagement.service.ts';
import type { CommentsService } from './comments.service.ts';

export function registerEngagementRoutes(app: FastifyInstance, deps: { engagement: EngagementService; comments: CommentsService }) {
  const { engagement, comments } = deps;
  mount(app, 'likeVideo', async (req) => engagement.like(req.user, req.params.id));
  mount(app, 'unlikeVideo', async (req) => engagement.unlike(req.user, req.params.id));
  mount(app, 'saveVideo', async (req) => engagement.save(req.user, req.params.id, req.body.collectionId));
  mount(app, 'unsaveVideo', async (req) => engagement.unsave(req.user, req.params.id));
  mount(app, 'engagement', async (req) => engagement.state(req.user, req.query.ids));
  mount(app, 'collections', async (req) => engagement.collections(req.user));
  mount(app, 'createCollection', async (req) => engagement.createCollection(req.user, req.body.name));
  mount(app, 'renameCollection', async (req) => engagement.renameCollection(req.user, req.params.id, req.body.name));
  mount(app, 'deleteCollection', async (req) => engagement.deleteCollection(req.user, req.params.id));
  mount(app, 'savedVideos', async (req) => engagement.saved(req.user, req.query.limit, req.query.cursor, req.query.collectionId));
  mount(app, 'likedVideos', async (req) => engagement.liked(req.params.username, req.user, req.query.limit, req.query.cursor));
  mount(app, 'comments', async (req) => comments.list(req.params.id, req.user, req.query.sort, req.query.limit, req.query.cursor));
  mount(app, 'commentReplies', async (req) => comments.replies(req.params.id, req.user, req.query.limit, req.query.cursor));
  mount(app, 'addComment', async (req) => comments.add(req.user, req.params.id, req.body));
  mount(app, 'deleteComment', async (req) => comments.remove(req.user, req.params.id));
  mount(app, 'likeComment', async (req) => comments.like(req.user, req.params.id));
  mount(app, 'unlikeComment', async (req) => comments.unlike(req.user, req.params.id));
  mount(app, 'pinComment', async (req) => comments.pin(req.user, req.params.id, true));
  mount(app, 'unpinComment', async (req) => comments.pin(req.user, req.params.id, false));
}
