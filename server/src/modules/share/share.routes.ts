import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mount } from '../../http/route.ts';
import { SESSION_COOKIE } from '../../http/app.ts';
import type { IdentityService } from '../identity/identity.service.ts';
import type { ShareService, PageResult } from './share.service.ts';
import { FALLBACK_INDEX_HTML, injectMeta } from './meta.ts';

/**
 * Share links, oEmbed, and the public pages (/v/:id, /@username, /embed/:id): the web app's index.html
 * with Open Graph / Twitter meta rendered in, so link previews work without running JavaScript.
 */
export function registerShareRoutes(app: FastifyInstance, deps: { share: ShareService; identity: IdentityService }) {
  const { share, identity } = deps;
  mount(app, 'shareInfo', async (req) => share.info(req.params.id, req.user));
  mount(app, 'shareVideo', async (req) => share.share(req.params.id, req.user, req.body.channel), { rateLimit: { max: 120, timeWindow: '1 minute' } });
  mount(app, 'oembed', async (req) => share.oembed(req.query.url, req.query.format, req.query.maxwidth, req.query.maxheight));

  const viewerOf = async (req: FastifyRequest) => {
    const token = req.cookies[SESSION_COOKIE];
    return token && token.length <= 128 ? identity.authenticate(token) : undefined;
  };
  const send = (reply: FastifyReply, page: PageResult, opts: { embed?: boolean } = {}) => {
    const html = injectMeta(app.webIndexHtml ?? FALLBACK_INDEX_HTML, page.meta, page.title);
    reply.status(page.status).type('text/html; charset=utf-8').header('cache-control', 'no-cache');
    // The embed player is meant to be framed by any site; the other pages keep the default.
    if (opts.embed) reply.header('content-security-policy', 'frame-ancestors *');
    else reply.header('x-frame-options', 'SAMEORIGIN');
    return reply.send(html);
  };
  const hide = { schema: { hide: true } };

  app.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>('/v/:id', hide, async (req, reply) => {
    const viewer = await viewerOf(req);
    const page = await share.videoPage(req.params.id, viewer);
    if (page.status === 200 && req.query.src === 'share') {
      await share
        .recordVisit(req.params.id, req.query.s, `${req.ip}|${req.headers['user-agent'] ?? ''}|${viewer?.id ?? ''}`)
        .catch((err: unknown) => req.log.warn({ err }, 'share visit not recorded'));
    }
    return send(reply, page);
  });
  app.get<{ Params: { id: string } }>('/embed/:id', hide, async (req, reply) =>
    send(reply, await share.videoPage(req.params.id, undefined, true), { embed: true }),
  );
  app.get<{ Params: { username: string } }>('/@:username', hide, async (req, reply) =>
    send(reply, await share.profilePage(req.params.username, await viewerOf(req))),
  );
}
