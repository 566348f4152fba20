/**
 * Who is calling `/api/*`: a login session cookie (the dashboard) or an `Authorization: Bearer`
 * API token (scripts, CRMs). Requests with neither get 401. A cookie-authenticated request that
 * changes state must come from the dashboard's own origin: SameSite=Strict already keeps the
 * cookie off cross-site requests, and this check is the second lock on that door (CSRF).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';
import { hashSecret } from './security.js';
import type { AccountRepository, User } from './repositories/accounts.js';

export const SESSION_COOKIE = 'lt_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticate` on every protected /api route. */
    user: User | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function createAuthenticate(accounts: AccountRepository) {
  return async function authenticate(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const now = Date.now();
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (bearer) {
      request.user = await accounts.findUserByApiToken(hashSecret(bearer), now);
      if (!request.user) throw new HttpError(401, 'invalid API token');
      return;
    }
    const cookie = request.cookies[SESSION_COOKIE];
    request.user = cookie ? await accounts.findUserByLoginSession(hashSecret(cookie), now) : null;
    if (!request.user) throw new HttpError(401, 'not logged in');
    if (!SAFE_METHODS.has(request.method)) assertSameOrigin(request);
  };
}

/** Browsers send Origin on every cross-origin and every POST request; scripts without it pass. */
function assertSameOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new HttpError(403, 'cross-site request refused');
  }
  if (originHost !== request.headers.host) throw new HttpError(403, 'cross-site request refused');
}
