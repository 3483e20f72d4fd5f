import fs from 'node:fs';
import path from 'node:path';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { IdentityService, SessionUser } from '../modules/identity/identity.service.ts';
import { AppError } from './errors.ts';
import { assertSameOrigin } from './csrf.ts';
import type { Metrics } from './metrics.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: SessionUser | undefined;
    sessionToken: string | undefined;
  }
  interface FastifyInstance {
    /** The web app's index.html (absent when the API runs without the web build); public pages inject their meta tags into it. */
    webIndexHtml: string | undefined;
  }
}

export const SESSION_COOKIE = 'flick_session';

export type HttpDeps = {
  log: FastifyBaseLogger;
  identity: IdentityService;
  metrics: Metrics;
  publicUrl: string;
  production: boolean;
  /** Root of the fs blob store, served under /media/ (absent for remote stores). */
  mediaRoot?: string;
  webDist?: string;
  maxUploadBytes: number;
  /** Lets tests exercise the limiter without waiting. */
  authRateLimit?: { max: number; timeWindow: string };
};

/** The Fastify app with the cross-cutting parts (errors, auth, CSRF, docs, static files); modules mount their routes on it. */
export async function createHttpApp(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log,
    bodyLimit: 256 * 1024,
    // Per-request lines would drown the log; /metrics has the request figures.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('user', undefined);
  app.decorateRequest('sessionToken', undefined);

  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(multipart, { limits: { fileSize: deps.maxUploadBytes, files: 1, fields: 10, fieldSize: 16 * 1024 } });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Flick API', version: '0.1.0', description: 'Short-video platform API. Errors are `{"error":{"code","message"}}`.' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } } },
    },
    transform: jsonSchemaTransform,
  });

  const allowedOrigins = new Set([new URL(deps.publicUrl).origin]);
  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/api/')) return;
    assertSameOrigin(req, allowedOrigins);
    const token = req.cookies[SESSION_COOKIE];
    if (token && token.length <= 128) {
      req.sessionToken = token;
      req.user = await deps.identity.authenticate(token);
    }
  });
  app.addHook('onResponse', async (req, reply) => {
    deps.metrics.observeHttp(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof AppError) return reply.status(err.status).send({ error: { code: err.code, message: err.message } });
    if (hasZodFastifySchemaValidationErrors(err)) {
      const first = err.validation[0];
      const where = first?.instancePath ? first.instancePath.replace(/^\//, '').replace(/\//g, '.') : err.validationContext;
      const message = `${where ? `${where}: ` : ''}${first?.message ?? 'invalid request'}`;
      return reply
        .status(400)
        .send({ error: { code: 'invalid_request', message, details: err.validation.map((v) => ({ path: v.instancePath, message: v.message })) } });
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err, issues: err.cause.issues }, 'response did not match its schema');
      return reply.status(500).send({ error: { code: 'internal', message: 'internal error' } });
    }
    const e = err as { statusCode?: number; code?: string; message: string };
    const status = e.statusCode ?? 500;
    if (status >= 500) {
      req.log.error({ err }, 'request failed');
      return reply.status(status).send({ error: { code: 'internal', message: 'internal error' } });
    }
    const code =
      e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.code === 'FST_REQ_FILE_TOO_LARGE'
        ? 'payload_too_large'
        : e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'unsupported_media_type'
          : status === 429
            ? 'rate_limited'
            : 'bad_request';
    return reply.status(status).send({ error: { code, message: e.message } });
  });

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', deps.metrics.contentType);
    return deps.metrics.render();
  });

  if (deps.mediaRoot) {
    fs.mkdirSync(deps.mediaRoot, { recursive: true });
    await app.register(fastifyStatic, {
      root: deps.mediaRoot,
      prefix: '/media/',
      decorateReply: false,
      index: false,
      setHeaders(res, filePath) {
        // Playlists are rewritten as renditions land; segments and images never change under a key.
        res.setHeader('cache-control', filePath.endsWith('.m3u8') ? 'no-cache' : 'public, max-age=31536000, immutable');
        if (filePath.endsWith('.m3u8')) res.setHeader('content-type', 'application/vnd.apple.mpegurl');
        res.setHeader('access-control-allow-origin', '*');
      },
    });
  }

  const index = deps.webDist ? path.join(deps.webDist, 'index.html') : undefined;
  if (deps.webDist && index && fs.existsSync(index)) {
    await app.register(fastifyStatic, { root: deps.webDist, prefix: '/', wildcard: false, index: ['index.html'] });
    const html = fs.readFileSync(index, 'utf8');
    app.decorate('webIndexHtml', html);
    app.setNotFoundHandler((req, reply) => {
      if (req.method === 'GET' && !req.url.startsWith('/api/') && !req.url.startsWith('/media/') && req.url !== '/metrics') {
        return reply.type('text/html').header('cache-control', 'no-cache').send(html);
      }
      return reply.status(404).send({ error: { code: 'not_found', message: `no route for ${req.method} ${req.url.split('?')[0]}` } });
    });
  } else {
    app.decorate('webIndexHtml', undefined);
    app.setNotFoundHandler((req, reply) =>
      reply.status(404).send({ error: { code: 'not_found', message: `no route for ${req.method} ${req.url.split('?')[0]}` } }),
    );
  }
  return app;
}

export function sessionCookieOptions(production: boolean, expires?: Date) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: production, expires };
}
