// The app under test: the compiled server started as `npm start` starts it, plus `--cpu-prof` when
// BENCH_CPU_PROF asks for profiles (V8 flags are refused in NODE_OPTIONS; cluster workers and the
// setup child inherit the primary's execArgv, so each writes its own profile).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { startCommand } from '../test/helpers/start-command.js';

export interface App {
  url: string;
  pid: number;
  /** Milliseconds from spawn to the first 200 of GET /health. */
  startupMs: number;
  /** SIGTERM, then the exit code once every process (and so every profile) is done. */
  stop(): Promise<number | null>;
}

const START = startCommand();

/** A port free right now: the server needs a fixed one, as a cluster primary does not report its own. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

async function untilHealthy(url: string, proc: ChildProcess, output: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null)
      throw new Error(`server exited with ${proc.exitCode} before answering:\n${output.join('')}`);
    const status = await fetch(`${url}/health`).then(
      async (res) => {
        await res.arrayBuffer();
        return res.status;
      },
      () => 0, // not listening yet
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`server did not answer GET /health within 60 s:\n${output.join('')}`);
}

export async function startApp(env: Record<string, string>, cpuProfDir?: string): Promise<App> {
  const port = await freePort();
  const profiling = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
  const spawned = performance.now();
  const proc = spawn(process.execPath, [...profiling, ...START.args], {
    env: { ...process.env, ...START.env, PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(String(chunk));
    if (output.length > 200) output.shift(); // the tail is what explains a failure
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = once(proc, 'exit').then(([code]) => code as number | null);
  const url = `http://127.0.0.1:${port}`;
  try {
    await untilHealthy(url, proc, output);
  } catch (error) {
    proc.kill('SIGKILL');
    throw error;
  }
  return {
    url,
    pid: proc.pid!,
    startupMs: performance.now() - spawned,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) console.error(`server exited with ${code}:\n${output.slice(-20).join('')}`);
      return code;
    },
  };
}
