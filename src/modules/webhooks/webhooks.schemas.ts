import { type Static, Type } from 'typebox';
import { Pagination } from '../../lib/schemas.js';
import { EVENT_TYPES, type EventType } from '../events/events.schemas.js';

const Subscription = Type.Unsafe<EventType | '*'>(
  Type.Union([...EVENT_TYPES.map((t) => Type.Literal(t)), Type.Literal('*')]),
);
const Events = Type.Array(Subscription, {
  minItems: 1,
  maxItems: EVENT_TYPES.length + 1,
  uniqueItems: true,
  description: 'Event types to receive, or ["*"] for all (including types added later)',
});
const Url = Type.String({
  minLength: 1,
  maxLength: 2048,
  description:
    'http(s) URL that receives POSTs. Refused (400) when it resolves to a loopback, private, link-local, ' +
    'CGNAT, multicast or other non-public address, unless WEBHOOK_ALLOW_PRIVATE=true',
});
const Description = Type.Union([Type.String({ maxLength: 500 }), Type.Null()]);

export const CreateWebhookBody = Type.Object(
  { url: Url, events: Events, description: Type.Optional(Description) },
  { additionalProperties: false },
);
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

export const UpdateWebhookBody = Type.Object(
  {
    url: Type.Optional(Url),
    events: Type.Optional(Events),
    enabled: Type.Optional(Type.Boolean({ description: 'false pauses deliveries; true resumes them' })),
    description: Type.Optional(Description),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateWebhookBody = Static<typeof UpdateWebhookBody>;

export const WebhookEndpoint = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  enabled: Type.Boolean({ description: 'false after an admin paused it or a receiver answered 410 Gone' }),
  description: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});
export type WebhookEndpoint = Static<typeof WebhookEndpoint>;

const Secret = Type.String({
  description:
    'The signing secret: "whsec_" + base64 of 32 random bytes (Standard Webhooks). Shown only once: keep it',
});

export const CreatedWebhookEndpoint = Type.Object({ ...WebhookEndpoint.properties, secret: Secret });

export const RotatedSecret = Type.Object({ secret: Secret });

export const Delivery = Type.Object({
  id: Type.Integer(),
  event_id: Type.String(),
  event_type: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  last_status_code: Type.Union([Type.Integer(), Type.Null()], {
    description: 'The receiver’s HTTP status at the last attempt; null when it gave none',
  }),
  last_error: Type.Union([Type.String(), Type.Null()], {
    description: 'Why the last attempt failed (timeout, refused connection, non-2xx status)',
  }),
  next_attempt_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When the next attempt is due; null once delivered or failed',
  }),
  last_attempt_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});
export type Delivery = Static<typeof Delivery>;

export const PageQuery = Type.Object({ ...Pagination }, { additionalProperties: false });
