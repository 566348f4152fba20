/**
 * The dashboard's files: `/dashboard/*` from dist/public/dashboard, and index.html for every
 * other page path (`/`, `/people/42`, `/leads`, …) so client-side routes survive a reload and the
 * CSV's trail links open. Dashboard pages carry a strict Content-Security-Policy: a visitor's form
 * value that looks like markup can never run as script there.
 */
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

function setSecurityHeaders(reply: FastifyReply): void {
  reply
    .header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    .header('X-Content-Type-Options', 'nosniff')
    .header('Referrer-Policy', 'same-origin')
    .header('X-Frame-Options', 'DENY');
}

export async function dashboardRoutes(app: FastifyInstance, { publicDirectory }: { publicDirectory: string }): Promise<void> {
  const root = join(publicDirectory, 'dashboard');
  await app.register(fastifyStatic, {
    root,
    prefix: '/dashboard/',
    // Bundles are not content-hashed yet: let browsers revalidate instead of caching stale code.
    cacheControl: true,
    maxAge: 0,
    setHeaders: (response) => {
      response.setHeader('X-Content-Type-Options', 'nosniff');
    },
  });

  const sendIndex = (reply: FastifyReply) => {
    setSecurityHeaders(reply);
    return reply.header('Cache-Control', 'no-cache').sendFile('index.html', root);
  };

  app.get('/', async (_request, reply) => sendIndex(reply));

  app.setNotFoundHandler(async (request: FastifyRequest, reply: FastifyReply) => {
    const isPage = (request.method === 'GET' || request.method === 'HEAD') && !request.url.startsWith('/api/') && !request.url.startsWith('/dashboard/');
    if (isPage && (request.headers.accept ?? '').includes('text/html')) return sendIndex(reply);
    return reply.code(404).send({ error: 'not found', details: { method: request.method, url: request.url } });
  });
}
