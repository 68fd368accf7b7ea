import type { Static, TObject } from 'typebox';
import { unauthorized } from '../../lib/errors.js';
import type { Services } from '../../services.js';
import type { SessionUser } from '../auth/auth.service.js';

/** Who may see and call a tool: anyone (read-only catalog), any signed-in user, or admins. */
export type Audience = 'anyone' | 'user' | 'admin';

export interface ToolCall {
  services: Services;
  user: SessionUser | null;
}

export interface ToolOutcome<O> {
  /** The structured result: what outputSchema describes. */
  data: O;
  /** One line for a model or a person reading the transcript. */
  summary: string;
}

/**
 * One MCP tool: a thin adapter from validated arguments to the service function the REST route
 * calls. Schemas are TypeBox (plain JSON Schema), mostly the feature modules' own.
 */
export interface Tool<I extends TObject = TObject, O extends TObject = TObject> {
  name: string;
  title: string;
  description: string;
  audience: Audience;
  /** Only reads: clients may run it without asking (MCP readOnlyHint). */
  readOnly: boolean;
  /** A write that only adds (MCP destructiveHint false); other writes keep the default, true. */
  additive?: boolean;
  input: I;
  output: O;
  run(args: Static<I>, call: ToolCall): Promise<ToolOutcome<Static<O>>>;
}

// The list holds tools of many shapes; each was type-checked where it was defined with tool().
// biome-ignore lint/suspicious/noExplicitAny: heterogeneous registry, checked at definition
export type AnyTool = Tool<any, any>;

/** Defines a tool with its argument and result types inferred from its schemas. */
export const tool = <I extends TObject, O extends TObject>(definition: Tool<I, O>): Tool<I, O> => definition;

export function mayUse(audience: Audience, user: SessionUser | null): boolean {
  if (audience === 'anyone') return true;
  if (audience === 'user') return user !== null;
  return user?.isAdmin === true;
}

/** The signed-in caller of a user or admin tool (the registry checked the audience first). */
export function caller(call: ToolCall): SessionUser {
  if (!call.user) throw unauthorized();
  return call.user;
}

/**
 * A paginated list as structured content (MCP results are objects, never bare arrays), each item
 * shown as `show` makes it. The caller knows its limit and offset; `total` tells it whether to page on.
 */
export const pageResult = <T, R>(page: { items: T[]; total: number }, show: (item: T) => R) => ({
  items: page.items.map(show),
  total: page.total,
});
