/**
 * Logging in and out of the dashboard (SPEC §4): `POST /api/login` with the admin password sets
 * an HttpOnly, SameSite=Strict session cookie; `POST /api/logout` ends it; `GET /api/me` tells the
 * dashboard whether it is logged in.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError, parseOrThrow } from '../errors.js';
import { generateSecret, hashSecret, verifyPassword } from '../security.js';
import { SESSION_COOKIE, createAuthenticate } from '../authenticate.js';
import type { AccountRepository } from '../repositories/accounts.js';
import type { UserJson } from './json-types.js';

/** The one account `leadtrail serve` creates; more users can come with roles later. */
export const ADMIN_USER = 'admin';
/** A month: a sales team should not log in every morning. */
const SESSION_LIFETIME_MS = 30 * 24 * 60 * 60_000;

/**
 * Every route that checks a password is a guessing door. A guess a second per address is never
 * felt by a person or a script that logs in now and then, and with scrypt's cost a password list
 * gets nowhere.
 */
export const PASSWORD_GUESS_LIMIT = { max: 60, timeWindow: 60_000 };

const loginSchema = z.object({ password: z.string().min(1).max(1024) });

export interface SessionRoutesOptions {
  accounts: AccountRepository;
  /** Mark the cookie Secure when the dashboard is served over https. */
  secureCookies: boolean;
}

export async function sessionRoutes(app: FastifyInstance, { accounts, secureCookies }: SessionRoutesOptions): Promise<void> {
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'strict', secure: secureCookies } as const;

  app.post('/login', { config: { rateLimit: PASSWORD_GUESS_LIMIT } }, async (request, reply) => {
    const { password } = parseOrThrow(loginSchema, request.body, 'login');
    const user = await accounts.findUserByName(ADMIN_USER);
    if (!user || !(await verifyPassword(password, user.passwordHash))) throw new HttpError(401, 'wrong password');
    const token = generateSecret();
    const expiresAt = Date.now() + SESSION_LIFETIME_MS;
    await accounts.createLoginSession(hashSecret(token), user.id, expiresAt);
    reply.setCookie(SESSION_COOKIE, token, { ...cookieOptions, expires: new Date(expiresAt) });
    return { ok: true };
  });

  app.post('/logout', async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await accounts.deleteLoginSession(hashSecret(token));
    reply.clearCookie(SESSION_COOKIE, cookieOptions);
    return reply.code(204).send();
  });

  app.get('/me', { onRequest: createAuthenticate(accounts) }, async (request): Promise<{ user: UserJson }> => ({ user: { name: request.user!.name } }));
}
