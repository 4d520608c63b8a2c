// Anonymous walk-in visits: no identity, no free text, no link to any young person, and no
// recording time either (it could be matched against a front-desk log).
import { date, index, pgTable, text, uuid } from 'drizzle-orm/pg-core'
import { centres } from './registry.js'

export const visits = pgTable(
  'visits',
  {
    id: uuid().primaryKey().defaultRandom(),
    visitDate: date({ mode: 'string' }).notNull(),
    centreId: uuid()
      .notNull()
      .references(() => centres.id),
    channel: text().notNull(),
    ageBand: text().notNull(),
    topics: text().array().notNull(),
    services: text().array().notNull().default([]),
    referredTo: text().array().notNull().default([]),
  },
  (t) => [index('visits_date_idx').on(t.visitDate, t.centreId)],
)
