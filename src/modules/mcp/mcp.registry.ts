import type { CallToolResult, Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { forbidden, unauthorized } from '../../lib/errors.js';
import { toProblem } from '../../lib/problem.js';
import type { SessionUser } from '../auth/auth.service.js';
import { argumentValidator, toJsonSchema, withoutStorageLimits } from './mcp.schema.js';
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
        inputSchema: withoutStorageLimits(inputSchema),
        outputSchema: toJsonSchema(tool.output, { output: true }) as McpTool['outputSchema'],
        // Only what differs from MCP's defaults (readOnlyHint false, destructiveHint true).
        annotations: {
          ...(tool.readOnly ? { readOnlyHint: true } : {}),
          ...(tool.additive ? { destructiveHint: false } : {}),
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
  const problem = toProblem(error);
  // A bug (or a 5xx AppError) is logged in full; the caller gets only the problem, as on REST.
  if (problem.status >= 500)
    log.error({ err: error, tool }, error instanceof Error ? error.message : 'MCP tool failed');
  return problem;
}
