import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../context.js';
import type { Trx } from '../../db/database.js';
import { invalidField, unauthorized } from '../../lib/errors.js';
import {
  findSessionUser,
  findUserByEmail,
  findUserById,
  findUserByUsername,
} from '../users/users.repository.js';
import {
  deleteRefreshTokensOf,
  insertRefreshToken,
  revokeFamily,
  spendRefreshToken,
  wasRefreshTokenUsed,
} from './auth.repository.js';
import type { LoginBody } from './auth.schemas.js';
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

  constructor(private readonly ctx: AppContext) {
    this.tokens = new TokenSigner(
      ctx.config.jwtSecret,
      ctx.config.accessTokenTtlSeconds,
      ctx.config.refreshTokenTtlSeconds,
    );
  }

  /** An argon2id hash of a new password, for the module that stores it (users). */
  hashPassword(password: string): Promise<string> {
    return hashPassword(password);
  }

  /** Whether `password` matches the stored hash; false for a malformed hash, never a throw. */
  checkPassword(passwordHash: string, password: string): Promise<boolean> {
    return verifyPassword(passwordHash, password);
  }

  /**
   * Ends every refresh session of a user, inside the caller's transaction (a password or role
   * change); access tokens end with the token_version bump the caller writes.
   */
  endSessions(trx: Trx, userId: number): Promise<void> {
    return deleteRefreshTokensOf(trx, userId);
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
      if (await spendRefreshToken(trx, claims.tokenId, nowIso)) return 'rotated' as const;
      if (await wasRefreshTokenUsed(trx, claims.tokenId)) {
        await revokeFamily(trx, claims.familyId, nowIso);
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
    await revokeFamily(this.ctx.db, claims.familyId, this.ctx.clock.now().toISOString(), claims.userId);
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
    await insertRefreshToken(this.ctx.db, {
      id: refresh.tokenId,
      family_id: familyId,
      user_id: userId,
      expires_at: new Date(now.getTime() + this.tokens.refreshTtl * 1000).toISOString(),
      used_at: null,
      revoked_at: null,
      created_at: now.toISOString(),
    });
    return {
      access_token: access,
      refresh_token: refresh.token,
      token_type: 'Bearer',
      expires_in: this.tokens.accessTtl,
    };
  }
}
