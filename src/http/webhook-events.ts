// The webhook events Polku sends, as the OpenAPI 3.1 `webhooks` section: payloads and signature headers.
import { DATA_CATEGORIES } from '../config.js'
import { REFERRAL_STATUSES } from '../db/schema/vocabulary.js'
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../modules/webhooks/outbox.js'

const uuid = (description: string) => ({ type: 'string', format: 'uuid', maxLength: 36, description })
const categories = {
  type: 'array',
  maxItems: DATA_CATEGORIES.length,
  items: { type: 'string', enum: [...DATA_CATEGORIES] },
  description: 'Data categories the consent covers',
}
const actions = { type: 'array', maxItems: 2, items: { type: 'string', enum: ['read', 'write'] }, description: 'read and/or write' }

const consentData = (extra: Record<string, unknown> = {}, required: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  required: ['consentId', 'youngPersonId', 'agencyId', 'categories', 'actions', 'validUntil', ...required],
  properties: {
    consentId: uuid('The consent'),
    youngPersonId: uuid('Whose consent it is'),
    agencyId: uuid('Your agency, the grantee'),
    categories,
    actions,
    validUntil: { type: 'string', format: 'date-time', maxLength: 40, description: 'When the consent ends (or ended)' },
    ...extra,
  },
})

const referralData = {
  type: 'object',
  additionalProperties: false,
  required: ['referralId', 'status', 'toAgencyId', 'toRole'],
  properties: {
    referralId: uuid('The referral'),
    status: { type: 'string', enum: [...REFERRAL_STATUSES], description: 'Its status after the change' },
    toAgencyId: uuid('The receiving agency'),
    toRole: { type: ['string', 'null'], maxLength: 64, description: 'The receiving role, when narrowed to one' },
  },
}

/** Each event's `data`, by the name of its component (events of one kind share one). */
const EVENTS: Record<WebhookEventType, { summary: string; name: string; data: Record<string, unknown> }> = {
  'consent.granted': { summary: 'A young person gave your agency consent: you may now act under it', name: 'ConsentEventData', data: consentData() },
  'consent.revoked': {
    summary: 'A consent to your agency ended early: delete what you received under it',
    name: 'ConsentRevokedEventData',
    data: consentData(
      {
        reason: { type: 'string', enum: ['revoked', 'superseded'], description: 'Withdrawn by the young person, or replaced by a new consent' },
        supersededById: uuid('The consent that replaces it (when superseded)'),
      },
      ['reason'],
    ),
  },
  'consent.expired': {
    summary: 'A consent to your agency reached its end date unrevoked: delete what you received under it',
    name: 'ConsentEventData',
    data: consentData(),
  },
  'referral.created': { summary: 'A referral from or to your agency reached its receiver', name: 'ReferralEventData', data: referralData },
  'referral.accepted': { summary: 'The receiver accepted a referral', name: 'ReferralEventData', data: referralData },
  'referral.declined': { summary: 'The receiver declined a referral', name: 'ReferralEventData', data: referralData },
  'referral.completed': { summary: 'The receiver completed a referral', name: 'ReferralEventData', data: referralData },
  'pathway.closed': {
    summary: 'A pathway your agency holds a consent for was closed: it is read-only until reopened',
    name: 'PathwayClosedEventData',
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['youngPersonId', 'reason', 'closedAt'],
      properties: {
        youngPersonId: uuid('Whose pathway'),
        reason: { type: 'string', enum: ['goals_reached', 'moved_away', 'no_longer_wants_support', 'other'], description: 'Why it was closed' },
        closedAt: { type: 'string', format: 'date-time', maxLength: 40, description: 'When it was closed' },
      },
    },
  },
  'pathway.reopened': {
    summary: 'A closed pathway was reopened',
    name: 'PathwayReopenedEventData',
    data: { type: 'object', additionalProperties: false, required: ['youngPersonId'], properties: { youngPersonId: uuid('Whose pathway') } },
  },
  'personal_data.erased': {
    summary: "A young person's personal data was erased in Polku: erase what you received about them (ids only)",
    name: 'PersonalDataErasedEventData',
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['youngPersonId', 'erasedAt'],
      properties: {
        youngPersonId: uuid('Whose data was erased'),
        erasedAt: { type: 'string', format: 'date-time', maxLength: 40, description: 'When it was erased' },
      },
    },
  },
}

const ref = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` })

/** What every event shares, declared once in `components`. */
const COMPONENTS = {
  parameters: {
    PolkuSignature: {
      in: 'header',
      name: 'Polku-Signature',
      description:
        '`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` with the endpoint\'s secret. Verify it over the raw body and refuse a `t` more than 5 minutes away.',
      required: true,
      schema: { type: 'string', pattern: '^t=[0-9]+,v1=[0-9a-f]{64}$', maxLength: 100 },
    },
    PolkuEventId: { in: 'header', name: 'Polku-Event-Id', required: true, description: 'The event id, the same on every retry', schema: uuid('Event id') },
  },
  responses: {
    EventAcknowledged: { description: 'Any 2xx acknowledges the event' },
    EventRetried: { description: 'Anything else is retried (a bad signature should be refused, e.g. with 401)' },
  },
}

/** The `webhooks` section (one POST per event type, as Polku sends it to a registered endpoint) and the components it uses. */
export function webhookDocumentation() {
  const webhooks: Record<string, unknown> = {}
  const schemas: Record<string, unknown> = {}
  for (const type of WEBHOOK_EVENT_TYPES) {
    const event = EVENTS[type]
    schemas[event.name] ??= { ...event.data, description: 'Ids and facts only: never note bodies, reasons or special-category content' }
    webhooks[type] = {
      post: {
        operationId: `webhook${type.replace(/(^|\.)(\w)/g, (_m, _dot, c: string) => c.toUpperCase())}`,
        summary: event.summary,
        description: `Sent as \`POST <your url>\` to endpoints subscribed to \`${type}\`. Any 2xx acknowledges it; anything else (redirects are not followed, 10 s timeout) is retried with exponential backoff and then dead-lettered. Retries carry the same event id: drop duplicates.`,
        tags: ['webhooks'],
        security: [],
        parameters: [
          ref('parameters', 'PolkuSignature'),
          ref('parameters', 'PolkuEventId'),
          { in: 'header', name: 'Polku-Event-Type', required: true, description: 'The event type', schema: { type: 'string', const: type } },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['id', 'type', 'createdAt', 'data'],
                properties: {
                  id: uuid('Event id (also in Polku-Event-Id)'),
                  type: { type: 'string', const: type },
                  createdAt: { type: 'string', format: 'date-time', maxLength: 40, description: 'When the change happened' },
                  data: ref('schemas', event.name),
                },
              },
            },
          },
        },
        responses: { '200': ref('responses', 'EventAcknowledged'), '400': ref('responses', 'EventRetried') },
      },
    }
  }
  return { webhooks, components: { ...COMPONENTS, schemas } }
}
