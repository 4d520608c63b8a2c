// SQL of anonymous visits: one multi-row INSERT, and which centres exist.
import { inArray } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
import { centres } from '../../db/schema/registry.js'
import { visits } from '../../db/schema/visits.js'
import type { AgeBand, Channel, Service, Topic } from './visits.schemas.js'
import type { AgencyKind } from '../../db/schema/registry.js'

export interface NewVisit {
  date: string
  centreId: string
  channel: Channel
  ageBand: AgeBand
  topics: Topic[]
  services: Service[]
  referredTo: AgencyKind[]
}

const visitColumns = {
  id: visits.id,
  date: visits.visitDate,
  centreId: visits.centreId,
  channel: visits.channel,
  ageBand: visits.ageBand,
  topics: visits.topics,
  services: visits.services,
  referredTo: visits.referredTo,
}

/** The columns are plain text in SQL; only values from the closed lists are ever written to them. */
export type StoredVisit = NewVisit & { id: string }

export async function insertVisits(q: Queryable, input: NewVisit[]): Promise<StoredVisit[]> {
  const rows = await q
    .insert(visits)
    .values(input.map(({ date, ...rest }) => ({ visitDate: date, ...rest })))
    .returning(visitColumns)
  return rows as StoredVisit[]
}

/** The ids among `ids` that name a centre. */
export async function existingCentres(q: Queryable, ids: string[]): Promise<Set<string>> {
  const unique = [...new Set(ids)]
  if (unique.length === 0) return new Set()
  const rows = await q.select({ id: centres.id }).from(centres).where(inArray(centres.id, unique))
  return new Set(rows.map((r) => r.id))
}
