import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { routes, type RouteName, type Routes } from '@flick/contracts';
import type { SessionUser } from '../modules/identity/identity.service.ts';
import { unauthorized } from './errors.ts';

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

export type RouteRequest<K extends RouteName> = {
  params: Out<Routes[K] extends { params: infer P } ? P : undefined>;
  query: Out<Routes[K] extends { query: infer Q } ? Q : undefined>;
  body: Out<Routes[K] extends { body: infer B } ? B : undefined>;
  user: Routes[K]['auth'] extends true ? SessionUser : SessionUser | undefined;
  raw: FastifyRequest;
};

export type RouteResult<K extends RouteName> = z.input<Routes[K]['response']>;

export const requireUser = async (req: FastifyRequest) => {
  if (!req.user) throw unauthorized();
};

/** Mount one route of the contract table: its schemas validate input, serialise output and document it in OpenAPI. */
export type MountOptions = { rateLimit?: { max: number; timeWindow: string | number } };

export function mount<K extends RouteName>(
  app: FastifyInstance,
  name: K,
  handler: (req: RouteRequest<K>, reply: FastifyReply) => Promise<RouteResult<K>>,
  opts: MountOptions = {},
) {
  const r = routes[name];
  const status = 'status' in r && r.status ? r.status : 200;
  app.route({
    method: r.method,
    url: r.path,
    schema: {
      operationId: name,
      summary: r.summary,
      tags: r.tags,
      ...('params' in r && r.params ? { params: r.params } : {}),
      ...('query' in r && r.query ? { querystring: r.query } : {}),
      ...('body' in r && r.body ? { body: r.body } : {}),
      ...('multipart' in r && r.multipart ? { consumes: ['multipart/form-data'] } : {}),
      response: { [status]: r.response },
    },
    preHandler: r.auth ? requireUser : undefined,
    config: opts.rateLimit ? { rateLimit: opts.rateLimit } : undefined,
    handler: async (req, reply) => {
      reply.status(status);
      return handler({ params: req.params, query: req.query, body: req.body, user: req.user, raw: req } as RouteRequest<K>, reply);
    },
  });
}
