import {
  McpError,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplate,
} from '@modelcontextprotocol/sdk/types.js';
import { AppError } from '../../lib/errors.js';
import type { Category } from '../categories/categories.schemas.js';
import type { ToolCall } from './mcp.tool.js';

const CATEGORIES_URI = 'mercato://categories';
const PRODUCT_URI = /^mercato:\/\/products\/([1-9]\d{0,9})$/;

// JSON-RPC code MCP uses for a resource that does not exist.
const RESOURCE_NOT_FOUND = -32002;

export const resources: Resource[] = [
  {
    uri: CATEGORIES_URI,
    name: 'categories',
    title: 'Product categories',
    description: 'Every category with its product count',
    mimeType: 'application/json',
  },
];

export const resourceTemplates: ResourceTemplate[] = [
  {
    uriTemplate: 'mercato://products/{id}',
    name: 'product',
    title: 'A product',
    description: 'One product by id: current price, offer, stock, images',
    mimeType: 'application/json',
  },
];

const json = (uri: string, value: unknown): ReadResourceResult => ({
  contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(value) }],
});

/** Resources read through the same services as the catalog tools. */
export async function readResource(uri: string, { services, user }: ToolCall): Promise<ReadResourceResult> {
  if (uri === CATEGORIES_URI) {
    const all: Category[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = await services.categories.list(100, offset);
      all.push(...page.items);
      if (page.items.length === 0 || all.length >= page.total) break;
    }
    return json(uri, all);
  }
  const match = PRODUCT_URI.exec(uri);
  if (match) {
    try {
      return json(uri, await services.products.get(Number(match[1]), { isAdmin: user?.isAdmin === true }));
    } catch (error) {
      if (error instanceof AppError && error.code === 'not_found') {
        throw new McpError(RESOURCE_NOT_FOUND, error.message, { uri, code: error.code });
      }
      throw error;
    }
  }
  throw new McpError(RESOURCE_NOT_FOUND, `No resource ${uri}`, { uri, code: 'not_found' });
}
