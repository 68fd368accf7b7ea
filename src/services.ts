import type { AppContext } from './context.js';
import { AuthService } from './modules/auth/auth.service.js';
import { UsersService } from './modules/users/users.service.js';

/** Every service, built once per process. REST routes and MCP tools both call these. */
export function createServices(ctx: AppContext) {
  const users = new UsersService(ctx);
  const auth = new AuthService(ctx, users);
  return { users, auth };
}

export type Services = ReturnType<typeof createServices>;
