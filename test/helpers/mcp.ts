import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

export const CATALOG_TOOLS = [
  'get_product',
  'get_recommendations',
  'list_active_offers',
  'list_categories',
  'search_products',
];
export const USER_TOOLS = [
  ...CATALOG_TOOLS,
  'add_to_cart',
  'cancel_order',
  'checkout',
  'get_order',
  'list_orders',
  'remove_from_cart',
  'update_cart_item',
  'view_cart',
].sort();
export const ADMIN_TOOLS = [
  ...USER_TOOLS,
  'apply_offer',
  'create_offer',
  'create_product',
  'inventory_report',
  'refund_order',
  'ship_order',
  'update_order_status',
  'update_product',
].sort();

export async function connectHttp(baseUrl: string, token?: string): Promise<Client> {
  const client = new Client({ name: 'mercato-test', version: '1.0.0' });
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', baseUrl), { requestInit: { headers } }),
  );
  return client;
}

export async function toolNames(client: Client): Promise<string[]> {
  // listTools also hands the output schemas to the client, which then validates every result.
  return (await client.listTools()).tools.map((t) => t.name).sort();
}

export interface Problem {
  code: string;
  status: number;
  detail: string;
  errors?: Array<{ path: string; message: string }>;
  [extension: string]: unknown;
}

/** Calls a tool that must succeed; returns its structured content (validated by the SDK client). */
// biome-ignore lint/suspicious/noExplicitAny: test code reads arbitrary result shapes
export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<any> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  assert.ok(!result.isError, `${name} failed: ${JSON.stringify(result.content)}`);
  assert.equal(result.content[0]?.type, 'text');
  return result.structuredContent;
}

/** Calls a tool that must fail; returns the problem object from its error content. */
export async function callFails(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<Problem> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  assert.equal(result.isError, true, `${name} should fail: ${JSON.stringify(result.structuredContent)}`);
  const text = result.content[0];
  assert.ok(text?.type === 'text');
  return JSON.parse(text.text) as Problem;
}
