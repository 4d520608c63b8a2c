// SQL of the statistics: counts by GROUP BY GROUPING SETS, so cells, margins and total come from one statement.
import { asc, type SQL, sql } from 'drizzle-orm'
import { DATA_CATEGORIES } from '../../config.js'
import { queryRows, type Queryable } from '../../db/client.js'
import { AGENCY_KINDS, centres } from '../../db/schema/registry.js'
import { GOAL_STATUSES, PATHWAY_STATUSES, REFERRAL_STATUSES } from '../../db/schema/vocabulary.js'
import type { GroupedCount } from './tables.js'
import type { VisitDimension } from './stats.schemas.js'

/** Dimension expressions are fixed text (never user input), repeated verbatim in GROUP BY and grouping(). */
const VISIT_EXPRESSIONS: Record<VisitDimension, string> = {
  topic: 't.topic',
  channel: 'v.channel',
  ageBand: 'v.age_band',
  centre: 'v.centre_id::text',
  month: "to_char(v.visit_date, 'YYYY-MM')",
}

/** Every subset of the dimensions: the cells, each margin and the total. */
function groupingSets(expressions: string[]): string {
  if (expressions.length === 0) return ''
  const sets = expressions.length === 1 ? [expressions, []] : [expressions, [expressions[0]!], [expressions[1]!], []]
  return `group by grouping sets (${sets.map((set) => `(${set.join(', ')})`).join(', ')})`
}

async function groupedCounts(q: Queryable, expressions: string[], count: string, from: SQL, where: SQL): Promise<GroupedCount[]> {
  const keys = expressions.map((e, i) => `${e} as k${i}, grouping(${e}) as g${i}`)
  const select = sql.raw([...keys, `${count}::int as n`].join(', '))
  const rows = await queryRows<Record<string, unknown>>(q, sql`select ${select} from ${from} where ${where} ${sql.raw(groupingSets(expressions))}`)
  return rows.map((row) => ({
    keys: expressions.map((_, i) => (Number(row[`g${i}`]) === 1 ? null : (row[`k${i}`] as string | null))),
    count: Number(row.n),
  }))
}

/** Visits in [firstDay, lastDay] counted by the given dimensions; a visit counts once under each of its topics. */
export function countVisits(q: Queryable, groupBy: readonly VisitDimension[], firstDay: string, lastDay: string) {
  const byTopic = groupBy.includes('topic')
  const from = byTopic ? sql.raw('visits v left join lateral unnest(v.topics) as t(topic) on true') : sql.raw('visits v')
  const where = sql`v.visit_date between ${firstDay}::date and ${lastDay}::date`
  return groupedCounts(q, groupBy.map((d) => VISIT_EXPRESSIONS[d]), byTopic ? 'count(distinct v.id)' : 'count(*)', from, where)
}

export function listCentres(q: Queryable) {
  return q.select({ id: centres.id, name: centres.name, municipality: centres.municipality }).from(centres).orderBy(asc(centres.name), asc(centres.id))
}

const within = (column: string, values: readonly string[]) =>
  sql`${sql.raw(column)} in (${sql.join(values.map((v) => sql`${v}`), sql`, `)})`

export function countPathways(q: Queryable) {
  return groupedCounts(q, ['p.status'], 'count(*)', sql.raw('pathways p'), within('p.status', PATHWAY_STATUSES))
}

export function countGoals(q: Queryable) {
  const where = sql`(g.category is null or ${within('g.category', DATA_CATEGORIES)}) and ${within('g.status', GOAL_STATUSES)}`
  return groupedCounts(q, ["coalesce(g.category, 'none')", 'g.status'], 'count(*)', sql.raw('goals g'), where)
}

export function countReferrals(q: Queryable) {
  const where = sql`${within('r.status', REFERRAL_STATUSES)} and ${within('a.kind', AGENCY_KINDS)}`
  return groupedCounts(q, ['r.status', 'a.kind'], 'count(*)', sql.raw('referrals r join agencies a on a.id = r.to_agency_id'), where)
}
