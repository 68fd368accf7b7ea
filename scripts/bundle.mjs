// `npm run build`'s second step, after tsc has checked and compiled src/ to dist/: bundles the
// server (and the setup child its cluster primary forks) into dist/bundle/, what `npm start` runs.
// Resolving, reading and compiling ~1,500 module files was half the start-up CPU time; one
// pre-linked file per entry takes that from ~1.0 s to ~0.5 s. Code splitting keeps the primary
// free of app code: the worker (Fastify, the modules, the drivers) is a chunk it never loads.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const outdir = 'dist/bundle';
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: ['src/server.ts', 'src/db/migrate-cli.ts'],
  outbase: 'src',
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // No keepNames: it wraps every closure in a __name() call, an Object.defineProperty per closure
  // created at run time (a fifth of a cached GET's CPU). Names are lost only where two modules'
  // top-level names collide (pg's Client becomes Client2), and nothing here dispatches on those.
  keepNames: false,
  sourcemap: 'linked',
  external: [
    // Native addons: loaded from node_modules, as built for this Node.
    'better-sqlite3',
    'sharp',
    '@node-rs/argon2',
    // Packages that read their own files next to their code (__dirname) at run time.
    '@fastify/swagger',
    '@fastify/swagger-ui',
    'ioredis',
  ],
  // CommonJS dependencies inside an ES module bundle call require().
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
