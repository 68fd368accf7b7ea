import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../context.js';
import { isUniqueViolation } from '../../db/errors.js';
import { conflict, invalidField, unauthorized } from '../../lib/errors.js';
import {
  findSessionUser,
  findUserByEmail,
  findUserById,
  findUserByUsername,
} from '../users/users.repository.js';
import type { User } from '../users/users.schemas.js';
import type { UsersService } from '../users/users.service.js';
import type { LoginBody, RegisterBody } from './auth.schemas.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password.js';
import { TokenSigner } from './tokens.js';

export interface SessionUser {
  id: number;
  isAdmin: boolean;
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

const INVALID_CREDENTIALS = 'Invalid username or password';

export class AuthService {
  readonly tokens: TokenSigner;

  constructor(
    private readonly ctx: AppContext,
    private readonly users: UsersService,
  ) {
    this.tokens = new TokenSigner(
      ctx.config.jwtSecret,
      ctx.config.accessTokenTtlSeconds,
      ctx.config.refreshTokenTtlSeconds,
    );
  }

  async register(input: RegisterBody): Promise<User> {
    const now = this.ctx.clock.now().toISOString();
    try {
      const { id } = await this.ctx.db
        .insertInto('users')
        .values({
          username: input.username,
          username_key: input.username.toLowerCase(),
          email: input.email ?? null,
          email_key: input.email?.toLowerCase() ?? null,
          password_hash: await hashPassword(input.password),
          first_name: input.first_name ?? null,
          last_name: input.last_name ?? null,
          address: input.address ?? null,
          is_admin: 0,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return this.users.get(id);
    } catch (error) {
      if (isUniqueViolation(error)) {
        const taken =
          input.email && (await findUserByEmail(this.ctx.db, input.email)) ? 'That email' : 'That username';
        throw conflict(`${taken} is already registered`);
      }
      throw error;
    }
  }

  /** One answer for "no such user" and "wrong password", in the same time, on purpose. */
  async login(input: LoginBody): Promise<TokenPair> {
    const identifier = input.username ?? input.email;
    if (!identifier) throw invalidField('/username', 'or email is required');
    const user = input.username
      ? await findUserByUsername(this.ctx.db, input.username)
      : await findUserByEmail(this.ctx.db, identifier);
    const valid = await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), input.password);
    if (!user || !valid) throw unauthorized(INVALID_CREDENTIALS);
    return this.issue(user.id, user.is_admin === 1, user.token_version, randomUUID());
  }

  /**
   * Rotation: a refresh token is good once. Presenting a spent one means it was copied, so the
   * whole family (every token descended from that login) is revoked.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const now = this.ctx.clock.now();
    const nowIso = now.toISOString();
    const claims = await this.tokens.verifyRefresh(refreshToken, now);
    const outcome = await this.ctx.db.transaction().execute(async (trx) => {
      const spent = await trx
        .updateTable('refresh_tokens')
        .set({ used_at: nowIso })
        .where('id', '=', claims.tokenId)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', nowIso)
        .executeTakeFirst();
      if (Number(spent.numUpdatedRows) === 1) return 'rotated' as const;
      const row = await trx
        .selectFrom('refresh_tokens')
        .select(['used_at'])
        .where('id', '=', claims.tokenId)
        .executeTakeFirst();
      if (row?.used_at) {
        await trx
          .updateTable('refresh_tokens')
          .set({ revoked_at: nowIso })
          .where('family_id', '=', claims.familyId)
          .where('revoked_at', 'is', null)
          .execute();
        return 'reused' as const;
      }
      return 'invalid' as const;
    });
    if (outcome === 'reused')
      throw unauthorized('This refresh token was already used; its sessions are revoked');
    if (outcome === 'invalid') throw unauthorized('This refresh token is no longer valid');
    const user = await findUserById(this.ctx.db, claims.userId);
    if (!user) throw unauthorized('This account no longer exists');
    return this.issue(user.id, user.is_admin === 1, user.token_version, claims.familyId);
  }

  async logout(refreshToken: string): Promise<void> {
    const claims = await this.tokens.verifyRefresh(refreshToken, this.ctx.clock.now());
    await this.ctx.db
      .updateTable('refresh_tokens')
      .set({ revoked_at: this.ctx.clock.now().toISOString() })
      .where('family_id', '=', claims.familyId)
      .where('user_id', '=', claims.userId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Verifies an access token and that its user still exists with the same token version. */
  async authenticate(accessToken: string): Promise<SessionUser> {
    const claims = await this.tokens.verifyAccess(accessToken, this.ctx.clock.now());
    const user = await findSessionUser(this.ctx.db, claims.userId);
    if (!user) throw unauthorized('This account no longer exists');
    if (user.token_version !== claims.version) throw unauthorized('This session has ended; log in again');
    // The role comes from the database, not the token: a demotion takes effect at once.
    return { id: user.id, isAdmin: user.is_admin === 1 };
  }

  private async issue(
    userId: number,
    isAdmin: boolean,
    version: number,
    familyId: string,
  ): Promise<TokenPair> {
    const now = this.ctx.clock.now();
    const access = await this.tokens.signAccess({ userId, isAdmin, version }, now);
    const refresh = await this.tokens.signRefresh({ userId, familyId }, now);
    await this.ctx.db
      .insertInto('refresh_tokens')
      .values({
        id: refresh.tokenId,
        family_id: familyId,
        user_id: userId,
        expires_at: new Date(now.getTime() + this.tokens.refreshTtl * 1000).toISOString(),
        used_at: null,
        revoked_at: null,
        created_at: now.toISOString(),
      })
      .execute();
    return {
      access_token: access,
      refresh_token: refresh.token,
      token_type: 'Bearer',
      expires_in: this.tokens.accessTtl,
    };
  }
}
