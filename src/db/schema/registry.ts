// Accounts and the registry: agencies, professionals, centres, partner clients.
import { sql } from 'drizzle-orm'
import { boolean, check, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'

export const AGENCY_KINDS = [
  'employment_service',
  'social_services',
  'health_services',
  'mental_health_services',
  'education',
  'youth_work',
  'ngo',
  'other',
] as const

export const PROFESSIONAL_ROLES = [
  'youth_counsellor',
  'social_worker',
  'nurse',
  'psychologist',
  'study_counsellor',
  'outreach_worker',
  'other',
] as const

export const PARTNER_SCOPES = [
  'pathway:read',
  'pathway:write',
  'referrals:read',
  'referrals:write',
  'visits:write',
  'stats:read',
] as const
export type PartnerScope = (typeof PARTNER_SCOPES)[number]

export const ACCOUNT_KINDS = ['admin', 'auditor', 'professional', 'young_person'] as const

export type AgencyKind = (typeof AGENCY_KINDS)[number]
export type ProfessionalRole = (typeof PROFESSIONAL_ROLES)[number]
export type AccountKind = (typeof ACCOUNT_KINDS)[number]

/** A login: the JWT `sub` resolves to exactly one account on every request. */
export const accounts = pgTable(
  'accounts',
  {
    id: uuid().primaryKey().defaultRandom(),
    kind: text().$type<AccountKind>().notNull(),
    subject: text().notNull(),
    active: boolean().notNull().default(true),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('accounts_subject_key').on(t.subject),
    check('accounts_kind_check', sql`${t.kind} in ('admin', 'auditor', 'professional', 'young_person')`),
  ],
)

export const agencies = pgTable('agencies', {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull(),
  kind: text().$type<AgencyKind>().notNull(),
  createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
})

export const professionals = pgTable(
  'professionals',
  {
    id: uuid().primaryKey().defaultRandom(),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    role: text().$type<ProfessionalRole>().notNull(),
    displayName: text().notNull(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('professionals_account_key').on(t.accountId), index('professionals_agency_idx').on(t.agencyId)],
)

export const centres = pgTable('centres', {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull(),
  municipality: text().notNull(),
  createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
})

export const professionalCentres = pgTable(
  'professional_centres',
  {
    professionalId: uuid()
      .notNull()
      .references(() => professionals.id),
    centreId: uuid()
      .notNull()
      .references(() => centres.id),
  },
  (t) => [primaryKey({ columns: [t.professionalId, t.centreId] })],
)

/** A partner system acting for one agency through OAuth2 client credentials. */
export const partnerClients = pgTable(
  'partner_clients',
  {
    id: uuid().primaryKey().defaultRandom(),
    clientId: text().notNull(),
    name: text().notNull(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    scopes: text().array().$type<PartnerScope[]>().notNull(),
    /** scrypt hash of the client secret; the secret itself is shown once and never stored. */
    secretHash: text().notNull(),
    active: boolean().notNull().default(true),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    secretRotatedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (t) => [uniqueIndex('partner_clients_client_id_key').on(t.clientId)],
)
