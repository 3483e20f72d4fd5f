import type { FastifyInstance } from 'fastify';
import { mount } from '../../http/route.ts';
import { SESSION_COOKIE, sessionCookieOptions } from '../../http/app.ts';
import { badRequest } from '../../http/errors.ts';
import type { IdentityService } from './identity.service.ts';

export function registerIdentityRoutes(
  app: FastifyInstance,
  deps: { identity: IdentityService; production: boolean; authRateLimit: { max: number; timeWindow: string } },
) {
  const { identity, production } = deps;
  const rateLimit = deps.authRateLimit;

  mount(app, 'health', async () => ({ status: 'ok' as const }));

  mount(
    app,
    'signup',
    async (req, reply) => {
      const { user, session } = await identity.signup(req.body, req.raw.headers['user-agent'] ?? null);
      reply.setCookie(SESSION_COOKIE, session.token, sessionCookieOptions(production, session.expiresAt));
      return user;
    },
    { rateLimit },
  );

  mount(
    app,
    'login',
    async (req, reply) => {
      const { user, session } = await identity.login(req.body.username, req.body.password, req.raw.headers['user-agent'] ?? null);
      reply.setCookie(SESSION_COOKIE, session.token, sessionCookieOptions(production, session.expiresAt));
      return user;
    },
    { rateLimit },
  );

  mount(app, 'logout', async (req, reply) => {
    if (req.raw.sessionToken) await identity.logout(req.raw.sessionToken);
    reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(production));
    return { ok: true as const };
  });

  mount(app, 'me', async (req) => identity.getMe(req.user.id));
  mount(app, 'updateMe', async (req) => identity.updateProfile(req.user.id, req.body));

  mount(app, 'uploadAvatar', async (req) => {
    if (!req.raw.isMultipart()) throw badRequest('multipart_required', 'send the image as multipart/form-data in the field "file"');
    const file = await req.raw.file({ limits: { fileSize: 10 * 1024 * 1024 } });
    if (!file) throw badRequest('file_required', 'the form has no "file" field');
    const data = await file.toBuffer();
    if (data.length === 0) throw badRequest('empty_file', 'the image is empty');
    return identity.setAvatar(req.user.id, data);
  });

  mount(app, 'grantRoles', async (req) => identity.grantRoles(req.user, req.params.username, req.body.roles));
  mount(app, 'accountStanding', async (req) => identity.accountStanding(req.user, req.params.username));
  mount(app, 'suspendAccount', async (req) => identity.setSuspended(req.user, req.params.username, true, req.body.reason));
  mount(app, 'unsuspendAccount', async (req) => identity.setSuspended(req.user, req.params.username, false, req.body.reason));
}
