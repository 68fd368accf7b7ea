import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { problemResponses } from '../../lib/schemas.js';
import { bearerToken } from '../../plugins/auth.js';
import { sendProblem } from '../../plugins/problem.js';

/**
 * The MCP SDK (with zod) and the tool definitions are loaded by the first /mcp request, not at
 * start: they hold ~13 MB that a process answering only REST never needs.
 */
const loadMcp = async () => {
  const [{ createMcpServer }, { StreamableHTTPServerTransport }] = await Promise.all([
    import('./mcp.server.js'),
    import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
  ]);
  return { createMcpServer, StreamableHTTPServerTransport };
};

const JsonRpc = Type.Unsafe<unknown>({
  description: 'A JSON-RPC 2.0 message or batch (Model Context Protocol)',
});

/**
 * Model Context Protocol over Streamable HTTP, stateless: every POST gets its own server and
 * transport for the caller its bearer token names (none: the public catalog tools), so no
 * session state lives between requests and any worker can answer.
 */
export default async function mcpRoutes(app: FastifyInstance) {
  app.post(
    '/mcp',
    {
      schema: {
        tags: ['ai'],
        operationId: 'postMcpMessage',
        summary: 'Model Context Protocol endpoint (Streamable HTTP)',
        description:
          'JSON-RPC over HTTP for MCP clients. Send `Accept: application/json, text/event-stream`. ' +
          'Optional `Authorization: Bearer <access_token>`: anonymous callers get the catalog tools, ' +
          'users also cart, checkout and orders, admins also the admin tools.',
        security: [{}, { bearerAuth: [] }],
        body: JsonRpc,
        response: {
          200: { ...JsonRpc, description: 'The JSON-RPC response (or batch of responses)' },
          202: Type.Null({ description: 'Accepted: the message was a notification, nothing to answer' }),
          ...problemResponses(401, 415),
        },
      },
    },
    async (request, reply) => serve(app, request, reply),
  );

  // Stateless: no server-initiated stream to open (GET) and no session to end (DELETE). The MCP
  // spec has servers without them answer 405; ours is a problem like every other error.
  const notHere = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('allow', 'POST');
    return sendProblem(
      request,
      reply,
      405,
      'method_not_allowed',
      'This MCP server is stateless: send JSON-RPC messages with POST',
    );
  };
  const described = (operationId: string, summary: string) => ({
    schema: { operationId, tags: ['ai'], summary, response: problemResponses(405) },
  });
  app.get(
    '/mcp',
    described('openMcpStream', 'MCP event stream (not offered: stateless server, answers 405)'),
    notHere,
  );
  app.delete(
    '/mcp',
    described('endMcpSession', 'MCP session end (not offered: stateless server, answers 405)'),
    notHere,
  );
}

async function serve(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  // Authentication happens before the reply is handed over, so a bad token is a normal 401 problem.
  const token = bearerToken(request);
  const user = token ? await app.services.auth.authenticate(token) : null;
  const { createMcpServer, StreamableHTTPServerTransport } = await loadMcp();
  const server = createMcpServer({
    services: app.services,
    identify: async () => user,
    log: request.log,
  });
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });

  // From here the SDK writes the response itself; keep the headers our hooks set (request id,
  // CORS, security headers).
  reply.hijack();
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) reply.raw.setHeader(name, value);
  }
  reply.raw.on('close', () => {
    void transport.close();
    void server.close();
  });
  try {
    await server.connect(transport);
    await transport.handleRequest(request.raw, reply.raw, request.body);
  } catch (error) {
    request.log.error({ err: error }, 'MCP request failed');
    if (!reply.raw.headersSent) {
      reply.raw.writeHead(500, { 'content-type': 'application/json' });
      reply.raw.end(
        JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null }),
      );
    }
  }
}
