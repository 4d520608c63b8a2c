// SQL of retention: the retention start of a young person, and the young persons with something due, claimed SKIP LOCKED.
import { asc, eq, type SQL, sql } from 'drizzle-orm'
import { erasable, onLegalHold } from '../../authz/index.js'
import { DATA_CATEGORIES, type DataCategory, type RetentionConfig } from '../../config.js'
import { type Queryable, queryRows } from '../../db/client.js'
import { erasedRecords } from '../../db/schema/retention.js'
import type { RetentionBasis } from './retention.rules.js'

/**
 * The retention start at `now`: null while the pathway is open and a consent is active; otherwise the later
 * of the closing and the end of the last consent (revoked, superseded or run out, whichever came first).
 */
function startAt(now: Date): SQL {
  const at = sql`${now.toISOString()}::timestamptz`
  return sql`case
    when p.closed_at is null and exists (select 1 from consents c where c.young_person_id = yp.id and c.revoked_at is null and c.superseded_at is null and c.valid_from <= ${at} and c.valid_until > ${at}) then null
    else greatest(p.closed_at, (select max(least(c.valid_until, coalesce(c.revoked_at, 'infinity'), coalesce(c.superseded_at, 'infinity'))) from consents c where c.young_person_id = yp.id))
  end`
}

interface BasisRow {
  id: string
  start: string | Date | null
  legal_hold: boolean
  erased_at: string | Date | null
  erased: Record<string, string> | null
}

const asDate = (value: string | Date | null) => (value === null ? null : new Date(value))

function toBasis(row: BasisRow): RetentionBasis {
  const erasedCategories: RetentionBasis['erasedCategories'] = {}
  for (const [category, at] of Object.entries(row.erased ?? {})) erasedCategories[category as DataCategory] = new Date(at)
  return { youngPersonId: row.id, start: asDate(row.start), legalHold: row.legal_hold, erasedAt: asDate(row.erased_at), erasedCategories }
}

const basisColumns = (now: Date) => sql`yp.id, ${startAt(now)} as start, ${onLegalHold(sql`yp.id`)} as legal_hold, yp.erased_at,
  (select json_object_agg(e.category, e.erased_at) from category_erasures e where e.young_person_id = yp.id) as erased`

/** The basis of one young person's deletion date; undefined when there is no such young person. */
export async function retentionBasis(q: Queryable, youngPersonId: string, now = new Date(), guard: SQL = sql`true`): Promise<RetentionBasis | undefined> {
  const [row] = await queryRows<BasisRow>(
    q,
    sql`select ${basisColumns(now)} from young_persons yp left join pathways p on p.young_person_id = yp.id where yp.id = ${youngPersonId} and ${guard}`,
  )
  return row ? toBasis(row) : undefined
}

/** `(category, days)` of the rules, as SQL rows. */
function rulesTable(rules: RetentionConfig): SQL {
  return sql`(values ${sql.join(
    DATA_CATEGORIES.map((c) => sql`(${c}::text, ${rules.days[c]}::int)`),
    sql`, `,
  )}) as r (category, days)`
}

/**
 * Claims up to `limit` young persons with a category due at `now`, locking their rows FOR UPDATE SKIP LOCKED:
 * another instance running the job at the same time skips them, and a crash releases them with the transaction.
 */
export async function claimDue(q: Queryable, rules: RetentionConfig, now: Date, limit: number, lock = true): Promise<RetentionBasis[]> {
  const at = sql`${now.toISOString()}::timestamptz`
  const rows = await queryRows<BasisRow>(
    q,
    sql`select b.* from young_persons yp
      left join pathways p on p.young_person_id = yp.id
      cross join lateral (select ${basisColumns(now)}) b
      where ${erasable(sql`yp.id`, sql`yp.erased_at`)} and b.start is not null
        and exists (select 1 from ${rulesTable(rules)}
          where b.start + make_interval(days => r.days) <= ${at}
            and not exists (select 1 from category_erasures e where e.young_person_id = yp.id and e.category = r.category and e.erased_at >= b.start))
      order by b.start, yp.id
      limit ${limit}
      ${lock ? sql`for update of yp skip locked` : sql``}`,
  )
  return rows.map(toBasis)
}

/** What is left of the young person's erased records, oldest erasure first. */
export function listTombstones(q: Queryable, youngPersonId: string) {
  return q
    .select({
      recordId: erasedRecords.recordId,
      kind: erasedRecords.kind,
      category: sql<DataCategory | null>`${erasedRecords.category}`,
      createdAt: erasedRecords.createdAt,
      erasedAt: erasedRecords.erasedAt,
      cause: erasedRecords.cause,
    })
    .from(erasedRecords)
    .where(eq(erasedRecords.youngPersonId, youngPersonId))
    .orderBy(asc(erasedRecords.erasedAt), asc(erasedRecords.kind), asc(erasedRecords.recordId))
}
