// Statistics periods: whole calendar months that have ended, so that two periods differ by whole months only.
import { BadRequestError } from '../../errors.js'

export const MAX_PERIOD_MONTHS = 120

export interface Period {
  /** First month, YYYY-MM. */
  from: string
  /** Last month, YYYY-MM, inclusive. */
  to: string
  /** First day counted, YYYY-MM-DD. */
  firstDay: string
  /** Last day counted, YYYY-MM-DD. */
  lastDay: string
  /** Every month of the period, in order. */
  months: string[]
  /** True when a day was given and widened to its whole month. */
  snapped: boolean
}

const monthIndex = (month: string) => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1
const monthOf = (index: number) => `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`

function lastDayOf(month: string): string {
  const index = monthIndex(month) + 1
  const day = new Date(Date.UTC(Math.floor(index / 12), index % 12, 0)).getUTCDate()
  return `${month}-${String(day).padStart(2, '0')}`
}

/**
 * The months from `from` to `to`, both inclusive. `today` (YYYY-MM-DD, the centres' calendar)
 * decides which month is still running: it is not counted yet, because figures asked for day
 * after day would differ by that day's visits.
 */
export function monthPeriod(from: string, to: string, today: string): Period {
  const first = from.slice(0, 7)
  const last = to.slice(0, 7)
  const running = today.slice(0, 7)
  if (monthIndex(first) > monthIndex(last)) throw new BadRequestError(`from (${first}) must not be after to (${last})`)
  if (monthIndex(last) >= monthIndex(running)) {
    throw new BadRequestError(`to must be a month that has ended; the latest is ${monthOf(monthIndex(running) - 1)}`)
  }
  const count = monthIndex(last) - monthIndex(first) + 1
  if (count > MAX_PERIOD_MONTHS) throw new BadRequestError(`a period spans at most ${MAX_PERIOD_MONTHS} months, this one ${count}`)
  return {
    from: first,
    to: last,
    firstDay: `${first}-01`,
    lastDay: lastDayOf(last),
    months: Array.from({ length: count }, (_, i) => monthOf(monthIndex(first) + i)),
    snapped: from.length > 7 || to.length > 7,
  }
}
