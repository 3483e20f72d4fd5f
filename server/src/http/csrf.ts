import type { FastifyRequest } from 'fastify';
import { forbidden } from './errors.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-origin request protection from the browser's own headers (the approach of Go's
 * CrossOriginProtection and OWASP's "verify origin"): a state-changing request is refused when a
 * browser says it comes from another site. Non-browser clients send neither header and cannot
 * carry a victim's cookies, so they pass. Cookies are also SameSite=Lax.
 */
export function assertSameOrigin(req: FastifyRequest, allowedOrigins: ReadonlySet<string>) {
  if (SAFE.has(req.method)) return;
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string') {
    if (site === 'same-origin' || site === 'none') return;
  }
  const origin = req.headers.origin;
  if (typeof origin !== 'string' || origin === 'null') {
    if (typeof site === 'string') throw forbidden('cross-site request refused', 'csrf');
    return;
  }
  const host = req.headers.host;
  const ok = allowedOrigins.has(origin) || (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`));
  if (!ok) throw forbidden('cross-site request refused', 'csrf');
}
