// Retention and erasure: erasure requests (GDPR art. 17), legal holds, tombstones of erased records, removed audit chains.
import { bigint, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { accounts } from './registry.js'
import { youngPersons } from './young-persons.js'

export const ERASURE_GROUNDS = [
  'freedom_of_expression',
  'legal_obligation',
  'public_interest_public_health',
  'archiving_research_statistics',
  'legal_claims',
] as const
export type ErasureGround = (typeof ERASURE_GROUNDS)[number]

export const erasureRequests = pgTable(
  'erasure_requests',
  {
    id: uuid().primaryKey().defaultRandom(),
    youngPersonId: uuid()
      .notNull()
      .references(() => youngPersons.id),
    /** The categories asked for; null for everything. */
    categories: text().array(),
    status: text().$type<'pending' | 'granted' | 'granted_in_part' | 'refused'>().notNull().default('pending'),
    requestedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    decidedAt: timestamp({ withTimezone: true, precision: 3 }),
    decidedByAccountId: uuid().references(() => accounts.id),
    /** The categories erased when granted in part. */
    grantedCategories: text().array(),
    /** Art. 17(3) ground of a refusal (or of the part refused). */
    ground: text().$type<ErasureGround>(),
    /** The data protection officer's reason, shown to the young person. */
    reason: text(),
  },
  (t) => [index('erasure_requests_young_person_idx').on(t.youngPersonId, t.requestedAt), index('erasure_requests_status_idx').on(t.status, t.requestedAt)],
)

export const legalHolds = pgTable(
  'legal_holds',
  {
    id: uuid().primaryKey().defaultRandom(),
    youngPersonId: uuid()
      .notNull()
      .references(() => youngPersons.id),
    reason: text().notNull(),
    setByAccountId: uuid()
      .notNull()
      .references(() => accounts.id),
    setAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    liftedAt: timestamp({ withTimezone: true, precision: 3 }),
    liftedByAccountId: uuid().references(() => accounts.id),
    liftReason: text(),
  },
  (t) => [index('legal_holds_young_person_idx').on(t.youngPersonId, t.setAt)],
)

/** What is left of an erased record: its id, kind and dates, never its content. */
export const erasedRecords = pgTable(
  'erased_records',
  {
    recordId: uuid().notNull(),
    kind: text().$type<'young_person' | 'note' | 'goal' | 'step' | 'referral' | 'consent' | 'consent_request' | 'pathway'>().notNull(),
    youngPersonId: uuid()
      .notNull()
      .references(() => youngPersons.id),
    category: text(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    erasedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    cause: text().$type<'retention' | 'erasure_request'>().notNull(),
  },
  (t) => [uniqueIndex('erased_records_record_key').on(t.recordId, t.kind), index('erased_records_young_person_idx').on(t.youngPersonId, t.erasedAt)],
)

/** Which categories of a young person were erased, and when: the job erases a category once per retention start. */
export const categoryErasures = pgTable(
  'category_erasures',
  {
    youngPersonId: uuid()
      .notNull()
      .references(() => youngPersons.id),
    category: text().notNull(),
    erasedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    cause: text().$type<'retention' | 'erasure_request'>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.youngPersonId, t.category] })],
)

/** An audit chain removed by audit retention: its final head stays here, so verification still anchors it. */
export const auditChainRemovals = pgTable('audit_chain_removals', {
  chain: text().primaryKey(),
  seq: bigint({ mode: 'number' }).notNull(),
  hash: text().notNull(),
  removedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
})
