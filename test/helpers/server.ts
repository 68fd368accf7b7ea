import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { startCommand } from './start-command.js';

export interface RunningServer {
  proc: ChildProcess;
  url: string;
  output: string[];
  exit: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * `npm start`'s environment and node arguments (V8 flags and the compiled entry), so a test runs the
 * server exactly as production does. `scripts/test.mjs` builds it before the tests.
 */
const START = startCommand();

export interface StartOptions {
  timeoutMs?: number;
  /** Start through `npm start` (npm → node) instead of node directly, in a process group of its own. */
  viaNpm?: boolean;
}

/** Runs the compiled server as a real process (as `npm start` does) and waits until it listens. */
export function startServer(env: Record<string, string>, options: StartOptions = {}): Promise<RunningServer> {
  const { timeoutMs = 60_000, viaNpm = false } = options;
  const proc = spawn(viaNpm ? 'npm' : process.execPath, viaNpm ? ['start', '--silent'] : START.args, {
    env: { ...process.env, ...START.env, NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: viaNpm,
  });
  const output: string[] = [];
  const exit = once(proc, 'exit').then(([code]) => code as number | null);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start:\n${output.join('\n')}`)),
      timeoutMs,
    );
    // Whole lines only: a pipe may cut a log line between two chunks.
    const pending = { stdout: '', stderr: '' };
    const onChunk = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const lines = (pending[stream] + String(chunk)).split('\n');
      pending[stream] = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        output.push(line);
        const match = /listening (?:on|at) (http:\/\/[^\s"]+)/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve({
            proc,
            url: match[1]!,
            output,
            exit,
            async stop(signal = 'SIGTERM') {
              if (proc.exitCode === null) proc.kill(signal);
              return exit;
            },
          });
        }
      }
    };
    proc.stdout.on('data', onChunk('stdout'));
    proc.stderr.on('data', onChunk('stderr'));
    exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output.join('\n')}`));
    });
  });
}

/**
 * Runs the server expecting it to refuse to start; resolves with its exit code and output (code
 * null when it was still running after `timeoutMs` and had to be killed).
 */
export async function runServerToExit(
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ code: number | null; output: string }> {
  const proc = spawn(process.execPath, START.args, {
    env: { ...process.env, ...START.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (c) => (output += c));
  proc.stderr.on('data', (c) => (output += c));
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  const [code] = await once(proc, 'exit');
  clearTimeout(timer);
  return { code: code as number | null, output };
}
