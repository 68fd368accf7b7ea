import type { CallToolResult, Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { databaseUnavailable, isDatabaseUnavailable } from '../../db/errors.js';
import { AppError, forbidden, titleFor, unauthorized } from '../../lib/errors.js';
import type { SessionUser } from '../auth/auth.service.js';
import { argumentValidator, toJsonSchema } from './mcp.schema.js';
import { type AnyTool, mayUse, type ToolCall } from './mcp.tool.js';
import { adminTools } from './tools/admin.js';
import { cartTools } from './tools/cart.js';
import { catalogTools } from './tools/catalog.js';
import { orderTools } from './tools/orders.js';

export interface McpLog {
  error(details: object, message: string): void;
}

interface Entry {
  tool: AnyTool;
  listing: McpTool;
  validate: (args: unknown) => unknown;
}

/** Every tool, its JSON Schemas and argument validator built once per process. */
function build(): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  for (const tool of [...catalogTools, ...cartTools, ...orderTools, ...adminTools]) {
    const inputSchema = toJsonSchema(tool.input) as McpTool['inputSchema'];
    entries.set(tool.name, {
      tool,
      validate: argumentValidator(inputSchema),
      listing: {
        name: tool.name,
        title: tool.title,
        description: tool.description,
        inputSchema,
        outputSchema: toJsonSchema(tool.output) as McpTool['outputSchema'],
        annotations: {
          title: tool.title,
          readOnlyHint: tool.readOnly,
          ...(tool.readOnly ? {} : { destructiveHint: tool.additive !== true }),
          openWorldHint: false,
        },
      },
    });
  }
  return entries;
}

let registry: Map<string, Entry> | undefined;
const entries = () => {
  registry ??= build();
  return registry;
};

/** The tools this caller may use; the others are not listed at all. */
export const toolsFor = (user: SessionUser | null): McpTool[] =>
  [...entries().values()].filter((e) => mayUse(e.tool.audience, user)).map((e) => e.listing);

export const isKnownTool = (name: string) => entries().has(name);

/**
 * Runs one tool call. Failures come back as tool errors (isError) whose text is the same problem
 * object REST would send (code, status, detail, errors...), so a model can branch on `code`.
 */
export async function callTool(
  name: string,
  args: unknown,
  caller: () => Promise<ToolCall>,
  log: McpLog,
): Promise<CallToolResult> {
  const entry = entries().get(name)!;
  try {
    // Inside the try: a token that expired mid-conversation is this call's unauthorized error.
    const call = await caller();
    if (!mayUse(entry.tool.audience, call.user)) {
      throw call.user
        ? forbidden(`${name} needs an admin account`)
        : unauthorized(`${name} needs a signed-in user`);
    }
    const { data, summary } = await entry.tool.run(entry.validate(args), call);
    return { content: [{ type: 'text', text: summary }], structuredContent: data as Record<string, unknown> };
  } catch (error) {
    return { isError: true, content: [{ type: 'text', text: JSON.stringify(problemOf(error, name, log)) }] };
  }
}

function problemOf(error: unknown, tool: string, log: McpLog) {
  if (isDatabaseUnavailable(error)) error = databaseUnavailable(); // an outage, not a bug: 503
  if (error instanceof AppError) {
    if (error.status >= 500) log.error({ err: error, tool }, error.message);
    return {
      type: `https://mercato.dev/problems/${error.code.replaceAll('_', '-')}`,
      title: titleFor(error.status),
      status: error.status,
      code: error.code,
      detail: error.message,
      ...error.extensions,
    };
  }
  // A bug: logged in full, the caller learns nothing it could exploit (as REST's 500).
  log.error({ err: error, tool }, 'MCP tool failed');
  return {
    type: 'https://mercato.dev/problems/internal-error',
    title: titleFor(500),
    status: 500,
    code: 'internal_error',
    detail: 'An unexpected error occurred; it has been logged',
  };
}
