import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import type { CannedFile } from './canned.js';

export interface Ceiling {
  url: string;
  stop(): Promise<void>;
}

/** Starts bench/ceiling.ts in its own process (so it gets a core of its own, like the app). */
export async function startCeiling(canned: CannedFile, file: string): Promise<Ceiling> {
  writeFileSync(file, JSON.stringify(canned));
  const proc = spawn(process.execPath, ['--import', 'tsx', 'bench/ceiling.ts', file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout.on('data', (chunk) => {
      const match = /listening on (http:\/\/\S+)/.exec(String(chunk));
      if (match) resolve(match[1]!);
    });
    proc.on('exit', (code) => reject(new Error(`ceiling exited with ${code}`)));
  });
  return {
    url,
    async stop() {
      proc.kill('SIGTERM');
      await once(proc, 'exit');
    },
  };
}
