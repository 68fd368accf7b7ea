import type { FastifyBaseLogger } from 'fastify';
import { type Bindings, type ChildLoggerOptions, type LevelWithSilentOrString, levels } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

const rank = (level: LevelWithSilentOrString): number => levels.values[level] ?? Number.POSITIVE_INFINITY;

/**
 * The logger Fastify hands every request (with its request id), built only when a line would be
 * written. pino's child() copies the level methods and serializes the bindings up front, a tenth
 * of a cached GET's CPU, while at the usual levels most requests write nothing.
 */
class RequestLogger implements FastifyBaseLogger {
  #child: FastifyBaseLogger | undefined;
  #threshold: number;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {
    this.#threshold = rank(options.level ?? parent.level);
  }

  #logger(): FastifyBaseLogger {
    this.#child ??= this.parent.child(this.bindings, this.options);
    return this.#child;
  }

  #write(level: Level, args: [unknown, string?, ...unknown[]]): void {
    if (rank(level) < this.#threshold) return;
    (this.#logger()[level] as (...line: unknown[]) => void)(...args);
  }

  get level(): LevelWithSilentOrString {
    return this.#child?.level ?? this.options.level ?? this.parent.level;
  }

  set level(level: LevelWithSilentOrString) {
    this.#logger().level = level;
    this.#threshold = rank(level);
  }

  fatal(...args: [unknown, string?, ...unknown[]]): void {
    this.#write('fatal', args);
  }
  error(...args: [unknown, string?, ...unknown[]]): void {
    this.#write('error', args);
  }
  warn(...args: [unknown, string?, ...unknown[]]): void {
    this.#write('warn', args);
  }
  info(...args: [unknown, string?, ...unknown[]]): void {
    this.#write('info', args);
  }
  debug(...args: [unknown, string?, ...unknown[]]): void {
    this.#write('debug', args);
  }
  trace(...args: [unknown, string?, ...unknown[]]): void {
    this.#write('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#logger().child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: a request's logger with its bindings, created on its first line. */
export function requestLogger(
  parent: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new RequestLogger(parent, bindings, options);
}
