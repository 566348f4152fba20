/**
 * `POST /api/password` `{ current, password }`: the logged-in user changes their password. The
 * current one must verify even though the caller is authenticated, so an unlocked laptop or a
 * leaked API token is not enough to lock the owner out. Every other login session ends (the one
 * making the change stays). Answers 204; a wrong current password is
 * 403, not 401: the caller is still authenticated (and the dashboard treats 401 as "logged out").
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError, parseOrThrow } from '../errors.js';
import { hashPassword, hashSecret, verifyPassword } from '../security.js';
import { SESSION_COOKIE } from '../authenticate.js';
import { PASSWORD_GUESS_LIMIT } from './session.js';
import type { AccountRepository } from '../repositories/accounts.js';
import type { PasswordChangeJson } from './json-types.js';

/** Long enough that a passphrase beats guessing at scrypt's cost; no composition rules (NIST 800-63B). */
export const MINIMUM_PASSWORD_LENGTH = 10;

const passwordChangeSchema = z.object({
  current: z.string().min(1).max(1024),
  password: z.string().min(MINIMUM_PASSWORD_LENGTH).max(1024),
}) satisfies z.ZodType<PasswordChangeJson>;

export async function passwordRoutes(app: FastifyInstance, { accounts }: { accounts: AccountRepository }): Promise<void> {
  app.post('/password', { config: { rateLimit: PASSWORD_GUESS_LIMIT } }, async (request, reply) => {
    const { current, password } = parseOrThrow(passwordChangeSchema, request.body, 'password change');
    const user = request.user!;
    if (!(await verifyPassword(current, user.passwordHash))) throw new HttpError(403, 'wrong current password');
    await accounts.setPasswordHash(user.id, await hashPassword(password));
    // Whoever knew the old password may be logged in elsewhere: only this session stays.
    const cookie = request.cookies[SESSION_COOKIE];
    await accounts.deleteOtherLoginSessions(user.id, cookie ? hashSecret(cookie) : null);
    return reply.code(204).send();
  });
}
