import type { FastifyRequest } from 'fastify';

/** Request facts beyond the signed-in user: ad targeting and invalid-traffic rules use them. */
export type ClientInfo = { ip?: string; userAgent?: string; acceptLanguage?: string; country?: string };

const header = (req: FastifyRequest, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The country comes from the edge proxy (`X-Flick-Country`, an ISO 3166 code), when one sets it. */
export const clientOf = (req: FastifyRequest): ClientInfo => ({
  ip: req.ip,
  userAgent: header(req, 'user-agent'),
  acceptLanguage: header(req, 'accept-language'),
  country: header(req, 'x-flick-country')
    ?.match(/^[A-Za-z]{2}$/)?.[0]
    ?.toUpperCase(),
});
