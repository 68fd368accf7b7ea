import { readFileSync } from 'node:fs';

/**
 * `npm start`'s command as package.json spells it — `exec [env K=V …] node <node args>` — so tests
 * and the bench start the compiled server exactly as production does: the same environment
 * assignments (glibc's malloc settings) and the same V8 flags.
 */
export function startCommand(): { env: Record<string, string>; args: string[] } {
  const script = JSON.parse(readFileSync('package.json', 'utf8')).scripts.start as string;
  const words = script.split(' ').filter(Boolean);
  let at = words[0] === 'exec' ? 1 : 0;
  const env: Record<string, string> = {};
  if (words[at] === 'env') {
    for (at += 1; words[at]?.includes('='); at += 1) {
      const [name, value] = words[at]!.split('=') as [string, string];
      env[name] = value;
    }
  }
  if (words[at] !== 'node') throw new Error(`npm start does not run node: ${script}`);
  return { env, args: words.slice(at + 1) };
}
