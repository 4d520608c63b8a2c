// Young persons and their consents: the only doors to personal data.
import { sql } from 'drizzle-orm'
import { date, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { accounts, agencies, professionals } from './registry.js'

export const youngPersons = pgTable(
  'young_persons',
  {
    id: uuid().primaryKey().defaultRandom(),
    accountId: uuid().references(() => accounts.id),
    givenName: text().notNull(),
    familyName: text().notNull(),
    /** Null once erased; intake always sets it. */
    birthDate: date({ mode: 'string' }),
    email: text(),
    phone: text(),
    createdByProfessionalId: uuid().references(() => professionals.id),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** When the record became a tombstone: identity and content erased, ids and dates kept. */
    erasedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (t) => [
    uniqueIndex('young_persons_account_key').on(t.accountId),
    // A caseload looks its young persons up by id and sorts them by created_at: read from this index alone.
    index('young_persons_id_created_at_idx').on(t.id, t.createdAt),
  ],
)

/**
 * A consent is never edited: narrowing or extending inserts a new row and sets
 * `superseded_at` on the old one. Status is derived at read time.
 */
export const consents = pgTable(
  'consents',
  {
    id: uuid().primaryKey().defaultRandom(),
    youngPersonId: uuid()
      .notNull()
      .references(() => youngPersons.id),
    granteeProfessionalId: uuid().references(() => professionals.id),
    granteeAgencyId: uuid().references(() => agencies.id),
    granteeRole: text(),
    categories: text().array().notNull(),
    actions: text().array().notNull(),
    purpose: text().notNull(),
    method: text().$type<'digital' | 'in_person'>().notNull(),
    evidence: text(),
    grantedByAccountId: uuid()
      .notNull()
      .references(() => accounts.id),
    validFrom: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    validUntil: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    revokedAt: timestamp({ withTimezone: true, precision: 3 }),
    revokedByAccountId: uuid().references(() => accounts.id),
    supersededAt: timestamp({ withTimezone: true, precision: 3 }),
    supersededById: uuid(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /**
     * The young person's own `created_at`, copied on insert by a trigger (never given by the application;
     * NOT NULL in the database): the caseload pages by it from the caller's consents without a join.
     */
    youngPersonCreatedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (t) => [
    // The consent EXISTS sub-query of every authorised read walks one of these two indexes.
    index('consents_professional_open_idx')
      .on(t.granteeProfessionalId, t.youngPersonId, t.validUntil)
      .where(sql`revoked_at is null and superseded_at is null`),
    index('consents_agency_open_idx')
      .on(t.granteeAgencyId, t.youngPersonId, t.validUntil)
      .where(sql`revoked_at is null and superseded_at is null`),
    index('consents_young_person_idx').on(t.youngPersonId, t.createdAt),
    // The caseload reads a caller's open consents one way in at a time, in its page's order, from these
    // alone: the migration adds INCLUDE (the role and validity columns its rule reads), which this
    // builder cannot declare.
    index('consents_professional_held_idx')
      .on(t.granteeProfessionalId, t.youngPersonCreatedAt, t.youngPersonId)
      .where(sql`revoked_at is null and superseded_at is null`),
    index('consents_agency_held_idx')
      .on(t.granteeAgencyId, t.youngPersonCreatedAt, t.youngPersonId)
      .where(sql`revoked_at is null and superseded_at is null`),
  ],
)

export const consentRequests = pgTable(
  'consent_requests',
  {
    id: uuid().primaryKey().defaultRandom(),
    youngPersonId: uuid()
      .notNull()
      .references(() => youngPersons.id),
    requestedByProfessionalId: uuid()
      .notNull()
      .references(() => professionals.id),
    granteeProfessionalId: uuid().references(() => professionals.id),
    granteeAgencyId: uuid().references(() => agencies.id),
    granteeRole: text(),
    categories: text().array().notNull(),
    actions: text().array().notNull(),
    purpose: text().notNull(),
    status: text().$type<'pending' | 'approved' | 'declined'>().notNull().default('pending'),
    expiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    decidedAt: timestamp({ withTimezone: true, precision: 3 }),
    consentId: uuid().references(() => consents.id),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('consent_requests_young_person_idx').on(t.youngPersonId, t.createdAt)],
)
