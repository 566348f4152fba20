/**
 * `GET /lt.js` and `GET /lt-forms.js` (form capture, which lt.js imports on pages with a form): the
 * snippet's files, read once at start, served pre-compressed (brotli or gzip) with an ETag. The
 * URLs are not versioned — sites paste the tag once — so caches may keep them only briefly and must
 * revalidate; a 304 costs a few bytes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import type { FastifyInstance } from 'fastify';

export interface SnippetRoutesOptions {
  publicDirectory: string;
}

export async function snippetRoutes(app: FastifyInstance, { publicDirectory }: SnippetRoutesOptions): Promise<void> {
  serveScript(app, publicDirectory, 'lt.js');
  // lt.js loads it with import(): a module script, fetched with CORS from the site's pages.
  serveScript(app, publicDirectory, 'lt-forms.js', { 'Access-Control-Allow-Origin': '*' });
}

function serveScript(app: FastifyInstance, publicDirectory: string, name: string, extraHeaders: Record<string, string> = {}): void {
  const file = join(publicDirectory, name);
  let source: Buffer;
  try {
    source = readFileSync(file);
  } catch {
    throw new Error(`${file} is missing: build the snippet with \`npm run build\` (npm install does it).`);
  }
  const variants = {
    br: brotliCompressSync(source, { params: { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY } }),
    gzip: gzipSync(source, { level: 9 }),
    identity: source,
  };
  const etag = `"${createHash('sha256').update(source).digest('base64url').slice(0, 22)}"`;

  app.get(`/${name}`, async (request, reply) => {
    reply
      .header('Content-Type', 'application/javascript; charset=utf-8')
      // Five minutes fresh, then a cheap revalidation; a day of stale-while-revalidate keeps pages fast.
      .header('Cache-Control', 'public, max-age=300, stale-while-revalidate=86400')
      .header('ETag', etag)
      .header('Vary', 'Accept-Encoding')
      // Sites that isolate themselves (COEP) may still load a cross-origin script that opts in.
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      .headers(extraHeaders);
    const ifNoneMatch = request.headers['if-none-match'];
    if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
      return reply.code(304).send();
    }
    const encoding = chooseEncoding(request.headers['accept-encoding']);
    if (encoding !== 'identity') reply.header('Content-Encoding', encoding);
    return reply.send(variants[encoding]);
  });
}

/** Brotli when offered, else gzip, else plain; an encoding offered with q=0 counts as refused. */
function chooseEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | 'identity' {
  const offered = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) => part.trim().toLowerCase())
      .filter((part) => !/;\s*q=0(\.0*)?$/.test(part))
      .map((part) => part.split(';')[0]!.trim()),
  );
  if (offered.has('br')) return 'br';
  if (offered.has('gzip')) return 'gzip';
  return 'identity';
}
