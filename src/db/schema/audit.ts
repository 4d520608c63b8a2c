// The append-only, hash-chained audit log: one chain per young person.
import { bigint, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'

export const auditEvents = pgTable(
  'audit_events',
  {
    id: uuid().primaryKey(),
    /** The chain: the young person's id, or `system` for events about no one. */
    chain: text().notNull(),
    seq: bigint({ mode: 'number' }).notNull(),
    occurredAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    actorAccountId: uuid(),
    actorKind: text().notNull(),
    actorRole: text(),
    actorAgencyId: uuid(),
    actorName: text(),
    action: text().notNull(),
    resourceType: text().notNull(),
    resourceId: text(),
    youngPersonId: uuid(),
    category: text(),
    consentIds: uuid().array().notNull(),
    outcome: text().$type<'allowed' | 'denied'>().notNull(),
    requestId: text(),
    /** SHA-256(previous hash ‖ canonical event), hex. */
    hash: text().notNull(),
  },
  (t) => [
    uniqueIndex('audit_events_chain_seq_key').on(t.chain, t.seq),
    index('audit_events_young_person_idx').on(t.youngPersonId, t.occurredAt),
    index('audit_events_actor_idx').on(t.actorAccountId, t.occurredAt),
  ],
)

/** The newest link of each chain; the upsert on it serialises writers of one chain only. */
export const auditHeads = pgTable('audit_heads', {
  chain: text().primaryKey(),
  seq: bigint({ mode: 'number' }).notNull(),
  hash: text().notNull(),
})
