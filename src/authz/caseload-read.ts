// The caseload page read in one statement: the rules, the page, the total and the events of what is shown.
import { type SQL, sql } from 'drizzle-orm'
import type { FastifyRequest } from 'fastify'
import type { Database } from '../db/client.js'
import type { PageRequest } from '../http/pagination.js'
import { appendCtes, shownEventsInput } from '../modules/audit/audit.writer.js'
import type { AppAbility } from './abilities.js'
import { caseloadQuery } from './data/young-persons.queries.js'
import { isoTimestamp } from './record-read.js'
import { accessibleWhere } from './sql.js'

export interface CaseloadEntry {
  id: string
  createdAt: Date
  givenName: string | null
  familyName: string | null
  categories: string[]
  consentValidUntil: Date | null
}

interface Row {
  total: number
  id: string | null
  createdAt: string | null
  givenName: string | null
  familyName: string | null
  categories: string[] | null
  consentValidUntil: string | null
  audited: number
}

/**
 * The caller's caseload page (limit + 1 rows, for the next cursor) and its total, with one `list`
 * event per young person shown (`identity` when their name is shown), in one statement: one round trip,
 * one snapshot, committed together. No rule, no rows and no events.
 */
export async function readCaseload(database: Database, request: FastifyRequest, ability: AppAbility, page: PageRequest): Promise<{ rows: CaseloadEntry[]; total: number }> {
  const rows = await database.statement<Row>(caseloadRead(database, request, ability, page))
  const entries = rows.flatMap((r) =>
    r.id === null || r.createdAt === null
      ? []
      : [
          {
            id: r.id,
            createdAt: new Date(r.createdAt),
            givenName: r.givenName,
            familyName: r.familyName,
            categories: r.categories ?? [],
            consentValidUntil: r.consentValidUntil === null ? null : new Date(r.consentValidUntil),
          },
        ],
  )
  // The statement appends an event for every young person shown, or fails as a whole.
  if (rows.length === 0 || Number(rows[0]!.audited) !== Math.min(entries.length, page.limit)) throw new Error('the audit events of a caseload page were not written')
  return { rows: entries, total: Number(rows[0]!.total) }
}

/** The one statement of `readCaseload` (exported for the plan tests), under the caller's ability. */
export function caseloadRead(database: Database, request: FastifyRequest, ability: AppAbility, page: PageRequest): SQL {
  const principal = request.principal
  const listed = caseloadQuery(database.db, ability, principal, accessibleWhere(ability, principal, 'read', 'YoungPerson'), page).getSQL()
  const events = shownEventsInput(
    request,
    { action: 'list', resourceType: 'YoungPerson' },
    { resourceId: sql`shown.id::text`, youngPersonId: sql`shown.id`, category: sql`case when shown.given_name is not null then 'identity' end` },
    sql`shown_rows`,
  )
  return sql`with listed as (${listed}),
shown_rows as (select id, given_name from listed where id is not null order by created_at desc, id desc limit ${page.limit}),
${appendCtes(events)}
select l.n::int as total, l.id, ${isoTimestamp(sql`l.created_at`)} as "createdAt", l.given_name as "givenName", l.family_name as "familyName",
  l.categories, ${isoTimestamp(sql`l.consent_valid_until`)} as "consentValidUntil", (select count(*) from appended)::int as audited
from listed l order by l.created_at desc, l.id desc`
}
