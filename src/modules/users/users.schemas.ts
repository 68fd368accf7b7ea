import { type Static, Type } from 'typebox';
import { NullableString, Pagination } from '../../lib/schemas.js';

export const USERNAME_PATTERN = '^[A-Za-z0-9_.-]{3,80}$';

export const User = Type.Object(
  {
    id: Type.Integer(),
    username: Type.String(),
    email: Type.Union([Type.String(), Type.Null()]),
    first_name: Type.Union([Type.String(), Type.Null()]),
    last_name: Type.Union([Type.String(), Type.Null()]),
    address: Type.Union([Type.String(), Type.Null()]),
    is_admin: Type.Boolean(),
    profile_image_url: Type.Union([Type.String(), Type.Null()]),
    created_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'User' },
);
export type User = Static<typeof User>;
export const UserRef = Type.Unsafe<User>(Type.Ref('User'));

export const Password = Type.String({ minLength: 8, maxLength: 128 });
export const Email = Type.String({ format: 'email', maxLength: 254 });

export const ProfileFields = {
  email: Type.Optional(Type.Union([Email, Type.Null()])),
  first_name: Type.Optional(NullableString({ maxLength: 100 })),
  last_name: Type.Optional(NullableString({ maxLength: 100 })),
  address: Type.Optional(NullableString({ maxLength: 500 })),
};

export const UpdateMeBody = Type.Object(
  {
    ...ProfileFields,
    password: Type.Optional(Password),
    current_password: Type.Optional(Type.String({ maxLength: 128 })),
  },
  { additionalProperties: false },
);
export type UpdateMeBody = Static<typeof UpdateMeBody>;

export const DeleteMeBody = Type.Object(
  { password: Type.String({ maxLength: 128 }) },
  { additionalProperties: false },
);

export const AdminUsersQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 100, description: 'Matches username or email' })),
    ...Pagination,
  },
  { additionalProperties: false },
);

export const AdminUpdateUserBody = Type.Object({ is_admin: Type.Boolean() }, { additionalProperties: false });
