// The young person's self-service: one-time link codes from intake and the questions they raise about accesses.
import { date, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { accounts } from './registry.js'
import { youngPersons } from './young-persons.js'

/** A code handed out at intake; only its SHA-256 is kept, and it links one login to the record once. */
export const linkCodes = pgTable(
  'link_codes',
  {
    id: uuid().primaryKey().defaultRandom(),
    youngPersonId: uuid()
      .notNull()
      .references(() => youngPersons.id),
    codeHash: text().notNull(),
    expiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    usedAt: timestamp({ withTimezone: true, precision: 3 }),
    usedByAccountId: uuid().references(() => accounts.id),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('link_codes_hash_key').on(t.codeHash), index('link_codes_young_person_idx').on(t.youngPersonId)],
)

/** "Question this": the young person's own words about one person's accesses on one day, and the auditor's answer. */
export const reviewItems = pgTable(
  'review_items',
  {
    id: uuid().primaryKey().defaultRandom(),
    youngPersonId: uuid()
      .notNull()
      .references(() => youngPersons.id),
    /** The audit event the question was raised from; the group is its actor on its day. */
    auditEventId: uuid().notNull(),
    day: date({ mode: 'string' }).notNull(),
    actorKind: text().notNull(),
    actorRole: text(),
    actorName: text(),
    actorAgencyId: uuid(),
    question: text().notNull(),
    answer: text(),
    answeredAt: timestamp({ withTimezone: true, precision: 3 }),
    answeredByAccountId: uuid().references(() => accounts.id),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('review_items_young_person_idx').on(t.youngPersonId, t.createdAt), index('review_items_open_idx').on(t.answeredAt, t.createdAt)],
)
