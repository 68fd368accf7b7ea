import { type Static, Type } from 'typebox';
import { NullableString } from '../../lib/schemas.js';
import { Email, Password, USERNAME_PATTERN, UserRef } from '../users/users.schemas.js';

export const RegisterBody = Type.Object(
  {
    username: Type.String({
      pattern: USERNAME_PATTERN,
      description: '3-80 of A-Z a-z 0-9 _ . -; unique ignoring case',
    }),
    password: Password,
    email: Type.Optional(Email),
    first_name: Type.Optional(NullableString({ maxLength: 100 })),
    last_name: Type.Optional(NullableString({ maxLength: 100 })),
    address: Type.Optional(NullableString({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type RegisterBody = Static<typeof RegisterBody>;

export const RegisterResponse = Type.Object({ message: Type.String(), user: UserRef });

export const LoginBody = Type.Object(
  {
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    password: Type.String({ maxLength: 128 }),
  },
  { additionalProperties: false, description: 'username or email, and password' },
);
export type LoginBody = Static<typeof LoginBody>;

export const TokenPair = Type.Object({
  access_token: Type.String(),
  refresh_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Access token lifetime in seconds' }),
});

export const RefreshBody = Type.Union([
  Type.Object(
    { refresh_token: Type.Optional(Type.String({ maxLength: 4096 })) },
    { additionalProperties: false },
  ),
  Type.Null(),
]);
