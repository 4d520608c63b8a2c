// Partner integration: idempotency keys, webhook endpoints and the delivery outbox.
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { partnerClients } from './registry.js'

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    /** The caller: an account id or a partner client id. */
    principalId: uuid().notNull(),
    key: text().notNull(),
    method: text().notNull(),
    path: text().notNull(),
    requestHash: text().notNull(),
    state: text().$type<'in_flight' | 'done'>().notNull().default('in_flight'),
    responseStatus: integer(),
    responseBody: jsonb(),
    responseHeaders: jsonb(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.principalId, t.key] }), index('idempotency_keys_expires_idx').on(t.expiresAt)],
)

export const webhookEndpoints = pgTable('webhook_endpoints', {
  id: uuid().primaryKey().defaultRandom(),
  partnerClientId: uuid()
    .notNull()
    .references(() => partnerClients.id),
  url: text().notNull(),
  events: text().array().notNull(),
  /** HMAC key for `Polku-Signature`; needed in clear to sign, shown to the partner once. */
  secret: text().notNull(),
  active: boolean().notNull().default(true),
  createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
})

/** The outbox: one row per event and endpoint, written in the transaction of the change. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid().primaryKey().defaultRandom(),
    eventId: uuid().notNull(),
    endpointId: uuid()
      .notNull()
      .references(() => webhookEndpoints.id),
    eventType: text().notNull(),
    payload: jsonb().notNull(),
    status: text().$type<'pending' | 'delivered' | 'dead'>().notNull().default('pending'),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    lastStatusCode: integer(),
    lastError: text(),
    deliveredAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('webhook_deliveries_due_idx').on(t.status, t.nextAttemptAt), index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt)],
)
