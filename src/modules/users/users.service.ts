import type { Updateable } from 'kysely';
import type { AppContext } from '../../context.js';
import type { UsersTable } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import { AppError, conflict, invalidField, notFound, unauthorized } from '../../lib/errors.js';
import type { Paged } from '../../lib/pagination.js';
import type { RegisterBody } from '../auth/auth.schemas.js';
import type { AuthService } from '../auth/auth.service.js';
import { deleteMediaRows, findMediaKeys } from '../media/media.repository.js';
import type { MediaService } from '../media/media.service.js';
import {
  countAdminsForUpdate,
  deleteUser,
  findUserByEmail,
  findUserById,
  insertUser,
  listUsers,
  lockUser,
  type UserRow,
  updateUser,
} from './users.repository.js';
import type { UpdateMeBody, User } from './users.schemas.js';

/** Accounts and profiles. Passwords and sessions are the auth module's; image files the media module's. */
export class UsersService {
  constructor(
    private readonly ctx: AppContext,
    private readonly auth: AuthService,
    private readonly media: MediaService,
  ) {}

  toUser(row: UserRow): User {
    return {
      id: row.id,
      username: row.username,
      email: row.email,
      first_name: row.first_name,
      last_name: row.last_name,
      address: row.address,
      is_admin: row.is_admin === 1,
      profile_image_url: row.profile_storage_key ? this.ctx.storage.url(row.profile_storage_key) : null,
      created_at: row.created_at,
    };
  }

  async get(id: number): Promise<User> {
    const row = await findUserById(this.ctx.db, id);
    if (!row) throw notFound('User');
    return this.toUser(row);
  }

  /** A customer account; a taken username or email is 409, saying which. */
  async register(input: RegisterBody): Promise<User> {
    const now = this.ctx.clock.now().toISOString();
    try {
      const id = await insertUser(this.ctx.db, {
        username: input.username,
        username_key: input.username.toLowerCase(),
        email: input.email ?? null,
        email_key: input.email?.toLowerCase() ?? null,
        password_hash: await this.auth.hashPassword(input.password),
        first_name: input.first_name ?? null,
        last_name: input.last_name ?? null,
        address: input.address ?? null,
        is_admin: 0,
        created_at: now,
        updated_at: now,
      });
      return this.get(id);
    } catch (error) {
      if (isUniqueViolation(error)) {
        const taken =
          input.email && (await findUserByEmail(this.ctx.db, input.email)) ? 'That email' : 'That username';
        throw conflict(`${taken} is already registered`);
      }
      throw error;
    }
  }

  async updateMe(id: number, input: UpdateMeBody): Promise<User> {
    const { password, current_password, ...profile } = input;
    const now = this.ctx.clock.now().toISOString();
    await this.ctx.db.transaction().execute(async (trx) => {
      const user = await findUserById(trx, id);
      if (!user) throw unauthorized('This account no longer exists');
      const changes: Updateable<UsersTable> = { ...profile, updated_at: now };
      if (profile.email !== undefined) changes.email_key = profile.email?.toLowerCase() ?? null;
      if (password !== undefined) {
        if (!current_password || !(await this.auth.checkPassword(user.password_hash, current_password))) {
          throw invalidField('/current_password', 'must be your current password to change it');
        }
        changes.password_hash = await this.auth.hashPassword(password);
        // Every access token carries the old version and every refresh token is deleted:
        // all sessions end, including the caller's.
        changes.token_version = user.token_version + 1;
        await this.auth.endSessions(trx, id);
      } else if (current_password !== undefined) {
        throw invalidField('/password', 'is required with current_password');
      }
      try {
        await updateUser(trx, id, changes);
      } catch (error) {
        if (isUniqueViolation(error)) throw conflict('That email is already registered');
        throw error;
      }
    });
    return this.get(id);
  }

  async deleteMe(id: number, password: string): Promise<void> {
    const user = await findUserById(this.ctx.db, id);
    if (!user) throw unauthorized('This account no longer exists');
    if (!(await this.auth.checkPassword(user.password_hash, password)))
      throw invalidField('/password', 'is not correct');
    const profile = await this.ctx.db.transaction().execute(async (trx) => {
      // Locked (PostgreSQL) and re-read, so a profile image committed meanwhile is deleted too.
      const locked = await lockUser(trx, id, this.ctx.dialect === 'postgres');
      if (!locked) throw unauthorized('This account no longer exists');
      const media =
        locked.profile_media_id === null ? [] : await findMediaKeys(trx, [locked.profile_media_id]);
      await deleteUser(trx, id);
      await deleteMediaRows(
        trx,
        media.map((m) => m.id),
      );
      return media;
    });
    await this.media.removeFiles(profile);
  }

  async list(q: string | undefined, limit: number, offset: number): Promise<Paged<User>> {
    const { items, total } = await listUsers(this.ctx.db, q, limit, offset);
    return { items: items.map((row) => this.toUser(row)), total };
  }

  async setAdmin(id: number, isAdmin: boolean): Promise<User> {
    await this.ctx.db.transaction().execute(async (trx) => {
      const admins = await countAdminsForUpdate(trx, this.ctx.dialect === 'postgres');
      const user = await findUserById(trx, id);
      if (!user) throw notFound('User');
      if (!isAdmin && user.is_admin === 1 && admins <= 1) {
        throw new AppError(409, 'conflict', 'The last admin cannot be demoted; promote another admin first');
      }
      if ((user.is_admin === 1) === isAdmin) return;
      await updateUser(trx, id, {
        is_admin: isAdmin ? 1 : 0,
        // A role change ends the user's sessions so no token carries the old role.
        token_version: user.token_version + 1,
        updated_at: this.ctx.clock.now().toISOString(),
      });
      await this.auth.endSessions(trx, id);
    });
    return this.get(id);
  }
}
