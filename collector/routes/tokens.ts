/** API tokens for scripts and CRMs: listed, created (the secret is shown once) and revoked. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError, parseOrThrow } from '../errors.js';
import { generateSecret, hashSecret } from '../security.js';
import type { AccountRepository, ApiToken } from '../repositories/accounts.js';
import { isoTime, isoTimeOrNull } from './format.js';
import type { CreatedTokenJson, TokenJson } from './json-types.js';

const createTokenSchema = z.object({ name: z.string().trim().min(1).max(100) });
const tokenIdSchema = z.object({ id: z.coerce.number().int().positive() });

const tokenJson = (token: ApiToken): TokenJson => ({
  id: token.id,
  name: token.name,
  created_at: isoTime(token.createdAt),
  last_used_at: isoTimeOrNull(token.lastUsedAt),
});

export async function tokenRoutes(app: FastifyInstance, { accounts }: { accounts: AccountRepository }): Promise<void> {
  app.get('/tokens', async (request) => ({ tokens: (await accounts.listApiTokens(request.user!.id)).map(tokenJson) }));

  app.post('/tokens', async (request, reply) => {
    const { name } = parseOrThrow(createTokenSchema, request.body, 'token');
    // The prefix makes a leaked token recognisable to secret scanners and to people.
    const secret = generateSecret('lt_');
    const token = await accounts.createApiToken(request.user!.id, name, hashSecret(secret));
    const created: CreatedTokenJson = { ...tokenJson(token), token: secret };
    return reply.code(201).send(created);
  });

  app.delete('/tokens/:id', async (request, reply) => {
    const { id } = parseOrThrow(tokenIdSchema, request.params, 'token id');
    if (!(await accounts.deleteApiToken(request.user!.id, id))) throw new HttpError(404, 'no such token');
    return reply.code(204).send();
  });
}
