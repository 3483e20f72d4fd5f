import { z } from 'zod';
import * as s from './schemas.ts';
import { route } from './route-def.ts';
import { ledgerRoutes } from './ledger.ts';
import { walletRoutes } from './wallet.ts';
import { accountRoutes } from './accounts.ts';
import { engagementRoutes, FollowQuery, SocialProfile } from './engagement.ts';
import { discoveryRoutes } from './discovery.ts';
import { studioRoutes } from './studio.ts';
import { adsRoutes } from './ads.ts';
import { adsReportRoutes } from './ads-reports.ts';
import { promoteRoutes } from './promote.ts';

export type { RouteDef } from './route-def.ts';

const IdParams = z.object({ id: z.string().uuid('not a video id') });
const UsernameParams = z.object({ username: z.string().min(1).max(64) });

/** The one table of JSON routes: the server mounts them, OpenAPI documents them, the client calls them. */
export const routes = {
  health: route({ method: 'GET', path: '/api/health', summary: 'Liveness', tags: ['ops'], auth: false, response: s.Health }),
  signup: route({
    method: 'POST',
    path: '/api/auth/signup',
    summary: 'Create an account and sign in',
    tags: ['auth'],
    auth: false,
    body: s.SignupBody,
    response: s.Me,
    status: 201,
  }),
  login: route({ method: 'POST', path: '/api/auth/login', summary: 'Sign in', tags: ['auth'], auth: false, body: s.LoginBody, response: s.Me }),
  logout: route({ method: 'POST', path: '/api/auth/logout', summary: 'Sign out', tags: ['auth'], auth: false, response: s.Ok }),
  me: route({ method: 'GET', path: '/api/me', summary: 'The signed-in user', tags: ['users'], auth: true, response: s.Me }),
  updateMe: route({ method: 'PATCH', path: '/api/me', summary: 'Edit profile', tags: ['users'], auth: true, body: s.ProfileUpdate, response: s.Me }),
  uploadAvatar: route({
    method: 'POST',
    path: '/api/me/avatar',
    summary: 'Upload an avatar image (multipart field `file`)',
    tags: ['users'],
    auth: true,
    multipart: true,
    response: s.Me,
  }),
  myVideos: route({
    method: 'GET',
    path: '/api/me/videos',
    summary: 'My videos, including processing and failed ones',
    tags: ['videos'],
    auth: true,
    query: s.PageQuery,
    response: s.VideoList,
  }),
  profile: route({
    method: 'GET',
    path: '/api/users/:username',
    summary: 'A profile',
    tags: ['users'],
    auth: false,
    params: UsernameParams,
    response: SocialProfile,
  }),
  userVideos: route({
    method: 'GET',
    path: '/api/users/:username/videos',
    summary: "A user's videos visible to the viewer",
    tags: ['users'],
    auth: false,
    params: UsernameParams,
    query: s.PageQuery,
    response: s.VideoList,
  }),
  follow: route({
    method: 'POST',
    path: '/api/users/:username/follow',
    summary: 'Follow (a private account gets a follow request; `videoId`: where the follow happened, for the recommender)',
    tags: ['social'],
    auth: true,
    params: UsernameParams,
    query: FollowQuery,
    response: SocialProfile,
  }),
  unfollow: route({
    method: 'DELETE',
    path: '/api/users/:username/follow',
    summary: 'Unfollow (or cancel a pending follow request)',
    tags: ['social'],
    auth: true,
    params: UsernameParams,
    response: SocialProfile,
  }),
  grantRoles: route({
    method: 'POST',
    path: '/api/admin/users/:username/roles',
    summary: 'Grant roles (admin)',
    tags: ['admin'],
    auth: true,
    params: UsernameParams,
    body: s.GrantRolesBody,
    response: s.Me,
  }),
  uploadVideo: route({
    method: 'POST',
    path: '/api/videos',
    summary: 'Upload a video (multipart: `file`, `caption`, `visibility`, `sound` = on|off); resumable uploads use tus at /api/uploads',
    tags: ['videos'],
    auth: true,
    multipart: true,
    response: s.UploadAccepted,
    status: 202,
  }),
  video: route({
    method: 'GET',
    path: '/api/videos/:id',
    summary: 'A video and its processing status',
    tags: ['videos'],
    auth: false,
    params: IdParams,
    response: s.Video,
  }),
  updateVideo: route({
    method: 'PATCH',
    path: '/api/videos/:id',
    summary: 'Edit caption or visibility',
    tags: ['videos'],
    auth: true,
    params: IdParams,
    body: s.VideoUpdate,
    response: s.Video,
  }),
  deleteVideo: route({
    method: 'DELETE',
    path: '/api/videos/:id',
    summary: 'Delete a video and its files',
    tags: ['videos'],
    auth: true,
    params: IdParams,
    response: s.Ok,
  }),
  retryVideo: route({
    method: 'POST',
    path: '/api/videos/:id/retry',
    summary: 'Retry a failed transcode',
    tags: ['videos'],
    auth: true,
    params: IdParams,
    response: s.Video,
  }),
  forYou: route({ method: 'GET', path: '/api/feed/for-you', summary: 'For You feed', tags: ['feed'], auth: false, query: s.ForYouQuery, response: s.FeedPage }),
  notInterested: route({
    method: 'POST',
    path: '/api/feed/not-interested',
    summary: 'Not interested in a video, a creator or a hashtag',
    tags: ['feed'],
    auth: true,
    body: s.NotInterestedBody,
    response: s.Ok,
  }),
  interestOptions: route({
    method: 'GET',
    path: '/api/feed/interests',
    summary: 'Hashtags a new user can pick from (most used first)',
    tags: ['feed'],
    auth: false,
    response: s.InterestOptions,
  }),
  setInterests: route({
    method: 'POST',
    path: '/api/me/interests',
    summary: 'Pick interests (cold start): they seed the For You feed',
    tags: ['feed'],
    auth: true,
    body: s.InterestsBody,
    response: s.Ok,
  }),
  resetFeed: route({
    method: 'POST',
    path: '/api/feed/reset',
    summary: 'Refresh my For You: forget what it learned about me',
    tags: ['feed'],
    auth: true,
    response: s.Ok,
  }),
  following: route({
    method: 'GET',
    path: '/api/feed/following',
    summary: 'Following feed, newest first',
    tags: ['feed'],
    auth: true,
    query: s.PageQuery,
    response: s.FeedPage,
  }),
  events: route({
    method: 'POST',
    path: '/api/events',
    summary: 'Report interaction events (deduplicated by client id)',
    tags: ['events'],
    auth: false,
    body: s.EventsBody,
    response: s.EventsAccepted,
  }),
  ...ledgerRoutes,
  ...walletRoutes,
  ...accountRoutes,
  ...engagementRoutes,
  ...discoveryRoutes,
  ...studioRoutes,
  ...adsRoutes,
  ...adsReportRoutes,
  ...promoteRoutes,
} as const;

export type Routes = typeof routes;
export type RouteName = keyof Routes;
