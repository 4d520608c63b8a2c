// Request and response schemas of partner webhooks: endpoints and their delivery log.
import { Type } from 'typebox'
import { ListOf, Nullable, PageQuery, Timestamp, Uuid } from '../../http/schemas.js'
import { WEBHOOK_EVENT_TYPES } from './outbox.js'

export const EventType = Type.Enum([...WEBHOOK_EVENT_TYPES], { description: 'A webhook event type' })

const Url = Type.String({
  format: 'uri',
  minLength: 8,
  maxLength: 2048,
  description: 'Where events are POSTed: https to a public address (loopback, private, link-local and other special addresses are refused, also after DNS resolution)',
})
const Events = Type.Array(EventType, { minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length, uniqueItems: true, description: 'The event types to receive' })

export const CreateEndpoint = Type.Object({ url: Url, events: Events }, { additionalProperties: false })

const endpointFields = {
  id: Uuid('Webhook endpoint id'),
  url: Url,
  events: Events,
  createdAt: Timestamp('When the endpoint was registered'),
}

export const Endpoint = Type.Object(endpointFields, { additionalProperties: false, description: 'A webhook endpoint' })
export const EndpointWithSecret = Type.Object(
  {
    ...endpointFields,
    secret: Type.String({ description: 'The HMAC-SHA256 key of `Polku-Signature`; shown only in this response' }),
  },
  { additionalProperties: false, description: 'A new webhook endpoint with its signing secret' },
)
export const EndpointList = ListOf(Endpoint, "The caller's webhook endpoints, oldest first")

export const Delivery = Type.Object(
  {
    id: Uuid('Delivery id'),
    eventId: Uuid('The event id, also sent as `Polku-Event-Id`; the same on every attempt and redelivery'),
    eventType: EventType,
    status: Type.Enum(['pending', 'delivered', 'dead'], {
      description: 'pending: waiting for its next attempt; delivered: a 2xx answer; dead: gave up after the last attempt',
    }),
    attempts: Type.Integer({ minimum: 0, description: 'Attempts made so far' }),
    lastStatusCode: Nullable(Type.Integer({ description: 'HTTP status of the last attempt; null when none was received' })),
    lastError: Nullable(Type.String({ description: 'Why the last attempt failed (never a response body)' })),
    nextAttemptAt: Nullable(Timestamp('When the next attempt is due; null unless pending')),
    deliveredAt: Nullable(Timestamp('When a 2xx answer was received')),
    createdAt: Timestamp('When the event was queued'),
  },
  { additionalProperties: false, description: 'One event queued for one endpoint' },
)
export const DeliveryList = ListOf(Delivery, 'Deliveries to this endpoint, newest first')

export const ListQuery = Type.Object(PageQuery, { additionalProperties: false })
