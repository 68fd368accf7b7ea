import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { AppError, notFound } from '../lib/errors.js';

/** The folder of package.json above this module, wherever it runs from: src/, dist/ or the bundle's chunks. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the admin app plugin');
    dir = parent;
  }
  return dir;
}

/** Where `npm run build:admin` (run by npm install) writes the app: <package>/dist/admin. */
export const ADMIN_BUILD_DIR = join(packageRoot(), 'dist', 'admin') + sep;

/**
 * The app needs scripts and styles of its own origin only. Mantine sets CSS variables and inline
 * styles at run time, hence 'unsafe-inline' for styles (never for scripts); images are the
 * API's own /media files and the data: favicon; upload previews are not used.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the admin single-page app at /admin: hashed files under assets/ are cached for a year,
 * index.html is revalidated every time (so a deploy is seen at once), and every other path under
 * /admin is a client route answered with index.html. Files are precompressed at build (.br, .gz).
 */
export default async function adminAppRoutes(app: FastifyInstance, options: { root?: string } = {}) {
  const root = options.root ?? ADMIN_BUILD_DIR;
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CSP);
    return payload;
  });

  if (!existsSync(join(root, 'index.html'))) {
    app.log.warn({ root }, 'The admin app is not built (npm run build:admin); /admin answers 503');
    app.get('/admin', { schema: { hide: true } }, async () => {
      throw new AppError(503, 'service_unavailable', 'The admin app is not built: run npm run build:admin');
    });
    return;
  }

  await app.register(fastifyStatic, {
    root,
    prefix: '/admin/',
    // Routes for the files present at start (the build precedes it), so unknown paths reach the fallback.
    wildcard: false,
    index: false,
    preCompressed: true,
    cacheControl: false,
    setHeaders(res, path) {
      res.setHeader('cache-control', path.includes(`${sep}assets${sep}`) ? IMMUTABLE : 'no-cache');
      // The .br/.gz siblings make the bytes depend on Accept-Encoding; shared caches must know.
      res.setHeader('vary', 'Accept-Encoding');
    },
  });

  const spa = async (request: { url: string }, reply: import('fastify').FastifyReply) => {
    if (request.url.startsWith('/admin/assets/')) throw notFound('Asset');
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html', root);
  };
  app.get('/admin', { schema: { hide: true } }, spa);
  app.get('/admin/*', { schema: { hide: true } }, spa);
}
