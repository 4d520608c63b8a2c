// The statistics: count in SQL, lay the counts out as tables, suppress what would point at a few people.
import type { Static } from 'typebox'
import type { Queryable } from '../../db/client.js'
import { AGENCY_KINDS } from '../../db/schema/registry.js'
import { GOAL_STATUSES, PATHWAY_STATUSES, REFERRAL_STATUSES } from '../../db/schema/vocabulary.js'
import { BadRequestError } from '../../errors.js'
import { AGE_BANDS, CHANNELS, TOPICS } from '../visits/visits.schemas.js'
import { monthPeriod } from './period.js'
import * as queries from './stats.queries.js'
import { GOAL_CATEGORIES, type PathwayKey, type VisitDimension, type VisitKey } from './stats.schemas.js'
import { type Dimension, protectTable } from './tables.js'

export interface VisitStatsQuery {
  from: string
  to: string
  groupBy?: string
}

export function parseGroupBy(groupBy: string | undefined): VisitDimension[] {
  const dims = (groupBy ? groupBy.split(',') : []) as VisitDimension[]
  if (dims.length === 2 && dims[0] === dims[1]) throw new BadRequestError(`groupBy names ${dims[0]} twice`)
  return dims
}

export async function visitStats(q: Queryable, query: VisitStatsQuery, k: number, today: string) {
  const period = monthPeriod(query.from, query.to, today)
  const groupBy = parseGroupBy(query.groupBy)
  const centres = groupBy.includes('centre') ? await queries.listCentres(q) : []
  const values: Record<VisitDimension, readonly string[]> = {
    topic: TOPICS,
    channel: CHANNELS,
    ageBand: AGE_BANDS,
    centre: centres.map((c) => c.id),
    month: period.months,
  }
  const dims: Dimension[] = groupBy.map((name) => ({ name, values: values[name], multiValued: name === 'topic' }))
  const rows = await queries.countVisits(q, groupBy, period.firstDay, period.lastDay)
  const { months: _, ...shownPeriod } = period
  return {
    period: shownPeriod,
    k,
    ...protectTable<Static<typeof VisitKey>>(dims, rows, k),
    ...(groupBy.includes('centre') ? { centres } : {}),
  }
}

export async function pathwayStats(q: Queryable, k: number) {
  const asOf = new Date()
  const [pathways, goals, referrals] = [await queries.countPathways(q), await queries.countGoals(q), await queries.countReferrals(q)]
  const single = (name: string, values: readonly string[]): Dimension => ({ name, values, multiValued: false })
  return {
    asOf,
    k,
    pathways: protectTable<Static<typeof PathwayKey>>([single('status', PATHWAY_STATUSES)], pathways, k),
    goals: protectTable<Static<typeof PathwayKey>>([single('category', GOAL_CATEGORIES), single('status', GOAL_STATUSES)], goals, k),
    referrals: protectTable<Static<typeof PathwayKey>>([single('status', REFERRAL_STATUSES), single('agencyKind', AGENCY_KINDS)], referrals, k),
  }
}
