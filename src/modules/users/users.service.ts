import type { AppContext } from '../../context.js';
import { isUniqueViolation } from '../../db/errors.js';
import { AppError, conflict, invalidField, notFound, unauthorized } from '../../lib/errors.js';
import type { Paged } from '../../lib/pagination.js';
import { hashPassword, verifyPassword } from '../auth/password.js';
import { removeMediaFiles } from '../media/media.files.js';
import {
  countAdminsForUpdate,
  findMedia,
  findUserById,
  listUsers,
  lockUser,
  type UserRow,
} from './users.repository.js';
import type { UpdateMeBody, User } from './users.schemas.js';

export class UsersService {
  constructor(private readonly ctx: AppContext) {}

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

  async updateMe(id: number, input: UpdateMeBody): Promise<User> {
    const { password, current_password, ...profile } = input;
    const now = this.ctx.clock.now().toISOString();
    await this.ctx.db.transaction().execute(async (trx) => {
      const user = await findUserById(trx, id);
      if (!user) throw unauthorized('This account no longer exists');
      const changes: Record<string, unknown> = { ...profile, updated_at: now };
      if (profile.email !== undefined) changes.email_key = profile.email?.toLowerCase() ?? null;
      if (password !== undefined) {
        if (!current_password || !(await verifyPassword(user.password_hash, current_password))) {
          throw invalidField('/current_password', 'must be your current password to change it');
        }
        changes.password_hash = await hashPassword(password);
        // Every access token carries the old version and every refresh token is deleted:
        // all sessions end, including the caller's.
        changes.token_version = user.token_version + 1;
        await trx.deleteFrom('refresh_tokens').where('user_id', '=', id).execute();
      } else if (current_password !== undefined) {
        throw invalidField('/password', 'is required with current_password');
      }
      try {
        await trx.updateTable('users').set(changes).where('id', '=', id).execute();
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
    if (!(await verifyPassword(user.password_hash, password)))
      throw invalidField('/password', 'is not correct');
    const media = await this.ctx.db.transaction().execute(async (trx) => {
      // Locked (PostgreSQL) and re-read, so a profile image committed meanwhile is deleted too.
      const locked = await lockUser(trx, id, this.ctx.dialect === 'postgres');
      if (!locked) throw unauthorized('This account no longer exists');
      const profile = locked.profile_media_id === null ? [] : await findMedia(trx, [locked.profile_media_id]);
      // Orders keep their rows (user_id becomes null by the foreign key): accounting loses nothing.
      await trx.deleteFrom('users').where('id', '=', id).execute();
      if (profile.length > 0)
        await trx
          .deleteFrom('media')
          .where(
            'id',
            'in',
            profile.map((m) => m.id),
          )
          .execute();
      return profile;
    });
    await removeMediaFiles(this.ctx.storage, media);
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
      await trx
        .updateTable('users')
        .set({
          is_admin: isAdmin ? 1 : 0,
          // A role change ends the user's sessions so no token carries the old role.
          token_version: user.token_version + 1,
          updated_at: this.ctx.clock.now().toISOString(),
        })
        .where('id', '=', id)
        .execute();
      await trx.deleteFrom('refresh_tokens').where('user_id', '=', id).execute();
    });
    return this.get(id);
  }
}
