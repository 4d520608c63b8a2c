// The shared pathway: goals, steps, notes and referrals, each owned by one young person.
import { date, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { agencies, professionals } from './registry.js'
import { consentRequests, youngPersons } from './young-persons.js'
import type { GoalStatus, PathwayStatus, ReferralStatus } from './vocabulary.js'

export const pathways = pgTable(
  'pathways',
  {
    id: uuid().primaryKey().defaultRandom(),
    youngPersonId: uuid()
      .notNull()
      .references(() => youngPersons.id),
    status: text().$type<PathwayStatus>().notNull().default('active'),
    summary: text().notNull().default(''),
    /** Set while the pathway is closed; the retention period starts from it. */
    closedAt: timestamp({ withTimezone: true, precision: 3 }),
    closeReason: text().$type<'goals_reached' | 'moved_away' | 'no_longer_wants_support' | 'other'>(),
    version: integer().notNull().default(1),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('pathways_young_person_key').on(t.youngPersonId)],
)

export const goals = pgTable(
  'goals',
  {
    id: uuid().primaryKey().defaultRandom(),
    youngPersonId: uuid()
      .notNull()
      .references(() => youngPersons.id),
    title: text().notNull(),
    category: text(),
    status: text().$type<GoalStatus>().notNull().default('open'),
    targetDate: date({ mode: 'string' }),
    version: integer().notNull().default(1),
    createdByProfessionalId: uuid().references(() => professionals.id),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('goals_young_person_idx').on(t.youngPersonId, t.createdAt)],
)

export const steps = pgTable(
  'steps',
  {
    id: uuid().primaryKey().defaultRandom(),
    goalId: uuid()
      .notNull()
      .references(() => goals.id),
    youngPersonId: uuid()
      .notNull()
      .references(() => youngPersons.id),
    title: text().notNull(),
    /** The goal's category, copied so the step's consent condition needs no join; kept in step with the goal. */
    goalCategory: text(),
    ownerProfessionalId: uuid().references(() => professionals.id),
    dueDate: date({ mode: 'string' }),
    status: text().$type<'open' | 'in_progress' | 'done' | 'dropped'>().notNull().default('open'),
    version: integer().notNull().default(1),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('steps_goal_idx').on(t.goalId), index('steps_young_person_idx').on(t.youngPersonId, t.createdAt)],
)

/** Notes are never edited or deleted; a correction is a new note pointing at the one it corrects. */
export const notes = pgTable(
  'notes',
  {
    id: uuid().primaryKey().defaultRandom(),
    youngPersonId: uuid()
      .notNull()
      .references(() => youngPersons.id),
    category: text().notNull(),
    body: text().notNull(),
    authorProfessionalId: uuid()
      .notNull()
      .references(() => professionals.id),
    correctsId: uuid(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  // A note's corrections are listed with it: without this index each listed note scans all notes.
  (t) => [index('notes_young_person_idx').on(t.youngPersonId, t.createdAt), index('notes_corrects_idx').on(t.correctsId)],
)


export const referrals = pgTable(
  'referrals',
  {
    id: uuid().primaryKey().defaultRandom(),
    youngPersonId: uuid()
      .notNull()
      .references(() => youngPersons.id),
    fromProfessionalId: uuid()
      .notNull()
      .references(() => professionals.id),
    toAgencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    toRole: text(),
    reason: text().notNull(),
    categories: text().array().notNull(),
    status: text().$type<ReferralStatus>().notNull(),
    consentRequestId: uuid().references(() => consentRequests.id),
    decisionReason: text(),
    outcome: text(),
    decidedByProfessionalId: uuid().references(() => professionals.id),
    expiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    version: integer().notNull().default(1),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('referrals_young_person_idx').on(t.youngPersonId, t.createdAt),
    index('referrals_to_agency_idx').on(t.toAgencyId, t.status),
  ],
)
