// The low-level Server, not McpServer: McpServer.registerTool takes zod shapes only, and our tool
// schemas are JSON Schema (TypeBox) shared with the REST routes.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { AppError } from '../../lib/errors.js';
import type { Services } from '../../services.js';
import type { SessionUser } from '../auth/auth.service.js';
import { getPrompt, prompts } from './mcp.prompts.js';
import { callTool, isKnownTool, type McpLog, toolsFor } from './mcp.registry.js';
import { readResource, resources, resourceTemplates } from './mcp.resources.js';
import type { ToolCall } from './mcp.tool.js';

export interface McpServerOptions {
  services: Services;
  /** Who is calling, resolved per request (stdio re-checks its token so revocation applies). */
  identify: () => Promise<SessionUser | null>;
  log: McpLog;
}

const INSTRUCTIONS =
  'Mercato store tools. Browse with search_products / get_product / list_categories; signed-in users ' +
  'manage a cart and check out (pass an idempotency_key); admins also manage products, offers, orders ' +
  'and read inventory_report. Errors are JSON problem objects with a stable "code". ' +
  'The shopping_assistant prompt explains the workflow.';

export function createMcpServer({ services, identify, log }: McpServerOptions): Server {
  const server = new Server(
    { name: 'mercato', title: 'Mercato', version: '0.1.0' },
    { capabilities: { tools: {}, resources: {}, prompts: {} }, instructions: INSTRUCTIONS },
  );

  // An expired or revoked token on a list/read request is a protocol error naming the problem code.
  const who = async (): Promise<SessionUser | null> => {
    try {
      return await identify();
    } catch (error) {
      if (error instanceof AppError)
        throw new McpError(ErrorCode.InvalidRequest, error.message, { code: error.code });
      throw error;
    }
  };
  const call = async (): Promise<ToolCall> => ({ services, user: await who() });

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: toolsFor(await who()) }));

  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const { name, arguments: args } = request.params;
    if (!isKnownTool(name)) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
    return callTool(name, args, async () => ({ services, user: await identify() }), log);
  });

  server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request) =>
    readResource(request.params.uri, await call()),
  );

  server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts }));
  server.setRequestHandler(GetPromptRequestSchema, async (request) =>
    getPrompt(request.params.name, request.params.arguments),
  );
  return server;
}
