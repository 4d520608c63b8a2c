// Recording anonymous visits: checks that need the clock or the database, then one INSERT for all.
import type { Tx } from '../../db/client.js'
import { UnprocessableError } from '../../errors.js'
import { existingCentres, insertVisits, type NewVisit } from './visits.queries.js'

/** The time zone whose calendar decides "today" for every centre (all centres are in Finland). */
export const CENTRE_TIME_ZONE = 'Europe/Helsinki'

/** Today's date (YYYY-MM-DD) on the centres' calendar. */
export function centreToday(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: CENTRE_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}

/**
 * Stores every visit or none. `fieldOf(i)` names visit i in error messages (`body` for a single
 * visit, `body.visits.<i>` in a batch), so the caller can find the one to fix.
 */
export async function recordVisits(tx: Tx, input: NewVisit[], fieldOf: (index: number) => string) {
  const today = centreToday()
  const future = input.findIndex((v) => v.date > today)
  if (future !== -1) {
    throw new UnprocessableError(`${fieldOf(future)}.date is in the future: visits are recorded on or after the day they happen (today is ${today} in Finland)`)
  }
  const known = await existingCentres(tx, input.map((v) => v.centreId))
  const unknown = input.findIndex((v) => !known.has(v.centreId))
  if (unknown !== -1) throw new UnprocessableError(`${fieldOf(unknown)}.centreId does not name a centre`)
  return insertVisits(tx, input)
}
