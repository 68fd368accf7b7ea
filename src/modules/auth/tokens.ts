import { randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { unauthorized } from '../../lib/errors.js';

export interface AccessClaims {
  userId: number;
  isAdmin: boolean;
  /** users.token_version at issue time; a password change bumps it and so voids old tokens. */
  version: number;
}

export interface RefreshClaims {
  userId: number;
  tokenId: string;
  familyId: string;
}

type TokenUse = 'access' | 'refresh';

/** Access tokens whose signature a process has checked and remembers (a few MB at most). */
const VERIFIED_ACCESS_TOKENS = 10_000;

/** HS256 JWTs. `token_use` keeps the two kinds apart: neither is accepted as the other. */
export class TokenSigner {
  private readonly key: Uint8Array;
  /**
   * Access tokens already verified, with their claims and expiry: a token's signature under our
   * key never stops being valid, so a signed-in client's next request skips the HMAC (a tenth of a
   * cart read's CPU). Expiry is still checked on every use, and what the session check decides
   * (password changed, role changed, account deleted) does not depend on this at all.
   */
  private readonly verifiedAccess = new Map<string, { claims: AccessClaims; exp: number }>();
  constructor(
    secret: string,
    private readonly accessTtlSeconds: number,
    private readonly refreshTtlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  signAccess(claims: AccessClaims, now: Date): Promise<string> {
    return this.sign(
      { is_admin: claims.isAdmin, ver: claims.version },
      'access',
      claims.userId,
      now,
      this.accessTtlSeconds,
    );
  }

  signRefresh(
    claims: Omit<RefreshClaims, 'tokenId'>,
    now: Date,
  ): Promise<{ token: string; tokenId: string }> {
    const tokenId = randomUUID();
    return this.sign(
      { fam: claims.familyId },
      'refresh',
      claims.userId,
      now,
      this.refreshTtlSeconds,
      tokenId,
    ).then((token) => ({ token, tokenId }));
  }

  get accessTtl(): number {
    return this.accessTtlSeconds;
  }

  get refreshTtl(): number {
    return this.refreshTtlSeconds;
  }

  private sign(
    claims: Record<string, unknown>,
    use: TokenUse,
    userId: number,
    now: Date,
    ttl: number,
    jti: string = randomUUID(),
  ): Promise<string> {
    const iat = Math.floor(now.getTime() / 1000);
    return new SignJWT({ ...claims, token_use: use })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(String(userId))
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttl)
      .setJti(jti)
      .sign(this.key);
  }

  async verifyAccess(token: string, now: Date): Promise<AccessClaims> {
    const known = this.verifiedAccess.get(token);
    // As jose decides expiry: expired once the current second reaches exp.
    if (known && Math.floor(now.getTime() / 1000) < known.exp) return known.claims;
    this.verifiedAccess.delete(token);
    const payload = await this.verify(token, 'access', now);
    const claims = {
      userId: Number(payload.sub),
      isAdmin: payload.is_admin === true,
      version: Number(payload.ver),
    };
    if (this.verifiedAccess.size >= VERIFIED_ACCESS_TOKENS) {
      this.verifiedAccess.delete(this.verifiedAccess.keys().next().value as string);
    }
    this.verifiedAccess.set(token, { claims, exp: payload.exp as number });
    return claims;
  }

  async verifyRefresh(token: string, now: Date): Promise<RefreshClaims> {
    const payload = await this.verify(token, 'refresh', now);
    if (typeof payload.jti !== 'string' || typeof payload.fam !== 'string')
      throw unauthorized('Invalid refresh token');
    return { userId: Number(payload.sub), tokenId: payload.jti, familyId: payload.fam };
  }

  private async verify(token: string, use: TokenUse, now: Date) {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        currentDate: now,
        requiredClaims: ['sub', 'exp', 'jti'],
      });
      if (payload.token_use !== use || !/^\d+$/.test(payload.sub ?? '')) {
        throw unauthorized(use === 'access' ? 'An access token is required' : 'A refresh token is required');
      }
      return payload;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw unauthorized('The token has expired');
      if (error instanceof joseErrors.JOSEError) throw unauthorized('Invalid token');
      throw error;
    }
  }
}
