// Reads a V8 .cpuprofile (what `node --cpu-prof` writes) into time per function: self time (samples
// in the function itself) and total time (samples with the function anywhere on the stack, counted
// once however deep it recurses). Locations in the bundle are mapped back to src/ or node_modules/
// through the bundle's source maps, with node's own SourceMap: no dependency.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  name: string;
  location: string;
  selfMs: number;
  totalMs: number;
}

export interface ProfileSummary {
  sampledMs: number;
  idleMs: number;
  functions: FunctionTime[];
}

const maps = new Map<string, SourceMap | undefined>();

function sourceMapOf(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    const mapFile = `${file}.map`;
    maps.set(
      file,
      existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : undefined,
    );
  }
  return maps.get(file);
}

/** A dependency by its package path (node_modules may be a link elsewhere), the app's own files from the cwd. */
function shortPath(file: string): string {
  const inPackage = file.lastIndexOf('/node_modules/');
  return inPackage >= 0 ? file.slice(inPackage + 1) : relative(process.cwd(), file);
}

/** `file:line` of a frame, in the TypeScript source when a source map knows it. */
function locate(frame: CallFrame): string {
  if (!frame.url) return '(native)';
  if (!frame.url.startsWith('file://')) return `${frame.url}:${frame.lineNumber + 1}`;
  const file = fileURLToPath(frame.url);
  const entry = sourceMapOf(file)?.findEntry(frame.lineNumber, frame.columnNumber);
  if (entry && 'originalSource' in entry) {
    const original = entry.originalSource.startsWith('file://')
      ? fileURLToPath(entry.originalSource)
      : resolve(dirname(file), entry.originalSource);
    return `${shortPath(original)}:${entry.originalLine + 1}`;
  }
  return `${shortPath(file)}:${frame.lineNumber + 1}`;
}

export function summarize(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // A sample's time is the interval until the next one (the last sample gets none).
  const selfOfNode = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfOfNode.set(id, (selfOfNode.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
  });

  const keyOf = new Map<number, string>();
  const functions = new Map<string, FunctionTime>();
  for (const node of profile.nodes) {
    const name = node.callFrame.functionName || '(anonymous)';
    const location = locate(node.callFrame);
    const key = `${name}\n${location}`;
    keyOf.set(node.id, key);
    if (!functions.has(key)) functions.set(key, { name, location, selfMs: 0, totalMs: 0 });
    functions.get(key)!.selfMs += selfOfNode.get(node.id) ?? 0;
  }

  // Total: a node's subtree time, added to its function only at the outermost frame of that function.
  const onStack = new Map<string, number>();
  const walk = (node: ProfileNode): number => {
    const key = keyOf.get(node.id)!;
    onStack.set(key, (onStack.get(key) ?? 0) + 1);
    let subtree = selfOfNode.get(node.id) ?? 0;
    for (const child of node.children ?? []) subtree += walk(byId.get(child)!);
    onStack.set(key, onStack.get(key)! - 1);
    if (onStack.get(key) === 0) functions.get(key)!.totalMs += subtree;
    return subtree;
  };
  const root = profile.nodes[0]!;
  const sampledMs = walk(root);
  const idleMs = [...functions.values()].find((f) => f.name === '(idle)')?.selfMs ?? 0;
  return { sampledMs, idleMs, functions: [...functions.values()] };
}
