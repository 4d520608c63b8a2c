// The caseload page read in one statement: the rules, the page, the total and the events of what is shown.
import { type Query, type SQL, sql } from 'drizzle-orm'
import type { FastifyRequest } from 'fastify'
import { type Database, renderStatement } from '../db/client.js'
import { ForbiddenError } from '../errors.js'
import type { PageRequest } from '../http/pagination.js'
import { appendCtes, type EventStampSql, eventStamp, STAMP_PLACEHOLDERS, shownEventsInput, stampSql, stampValues } from '../modules/audit/audit.writer.js'
import { type AppAbility, defineAbilityFor } from './abilities.js'
import { type CaseloadPage, caseloadPage, caseloadQuery, cursorSql, cursorValues } from './data/young-persons.queries.js'
import { perCaller } from './per-caller.js'
import { isoTimestamp } from './record-read.js'
import { asCallerIsNow, callerHolds } from './remembered.js'

export interface CaseloadEntry {
  id: string
  createdAt: Date
  givenName: string | null
  familyName: string | null
  categories: string[]
  consentValidUntil: Date | null
}

interface Row {
  /** The remembered principal no longer holds (see `principalStillHolds`): nothing was read or written. */
  stale: boolean
  total: number | null
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
export async function readCaseload(database: Database, request: FastifyRequest, page: PageRequest): Promise<{ rows: CaseloadEntry[]; total: number }> {
  const read = async () => {
    const ability = await caseloadAbility(request)
    const after = cursorValues(page)
    const values = { limit: page.limit, limitPlusOne: page.limit + 1, ...stampValues(eventStamp(request)), ...after }
    // Its plan is the same for every caller and page; planning it anew each time cost more than running it.
    return database.statement<Row>(preparedCaseload(request, ability, after !== undefined), values, { genericPlan: true })
  }
  const rows = await asCallerIsNow(request, read, (found) => found[0]?.stale === true)
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

/** The caller's ability, if it reads a caseload at all (403 otherwise: a young person reads their own record at /v1/me). */
async function caseloadAbility(request: FastifyRequest): Promise<AppAbility> {
  let ability = defineAbilityFor(request.principal)
  if (!ability.can('read', 'Caseload') && request.principalToVerify !== null) {
    // A remembered caller is looked up before being refused: an account that is gone is 401, not 403.
    await request.server.principalAfresh(request)
    ability = defineAbilityFor(request.principal)
  }
  if (!ability.can('read', 'Caseload')) throw new ForbiddenError('The caseload is for professionals and partner systems; a young person reads their own record at /v1/me')
  return ability
}

/** A caseload page and its event's time and request, as SQL. */
export interface CaseloadSlots {
  page: CaseloadPage
  limit: SQL
  stamp: Omit<EventStampSql, 'id'>
}

/** The slots filled with one request's own values (the plan tests). */
export function caseloadSlots(request: FastifyRequest, page: PageRequest): CaseloadSlots {
  return { page: caseloadPage(page), limit: sql`${page.limit}`, stamp: stampSql(eventStamp(request)) }
}

function placeholderSlots(cursor: boolean): CaseloadSlots {
  const after = cursor ? { after: cursorSql(sql.placeholder('afterAt'), sql.placeholder('afterId')) } : {}
  return { page: { limitPlusOne: sql.placeholder('limitPlusOne'), ...after }, limit: sql`${sql.placeholder('limit')}`, stamp: STAMP_PLACEHOLDERS }
}

/** The caseload's statement, rendered once per caller, for a first page and for a later one. */
const prepared = new Map<string, Query>()

function preparedCaseload(request: FastifyRequest, ability: AppAbility, cursor: boolean): Query {
  return perCaller(prepared, request, cursor, () => renderStatement(caseloadRead(request, ability, placeholderSlots(cursor))))
}

/** The one statement of `readCaseload` (exported for the plan tests), under the caller's ability. */
export function caseloadRead(request: FastifyRequest, ability: AppAbility, slots: CaseloadSlots): SQL {
  const principal = request.principal
  const listed = caseloadQuery(ability, principal, slots.page)
  const events = shownEventsInput(
    request,
    { action: 'list', resourceType: 'YoungPerson' },
    { resourceId: sql`shown.id::text`, youngPersonId: sql`shown.id`, category: sql`case when shown.given_name is not null then 'identity' end` },
    sql`shown_rows`,
    slots.stamp,
  )
  // A remembered principal is re-checked here, in the statement's own snapshot.
  return sql`with caller as (select ${callerHolds(request)} as holds),
listed as (select * from (${listed}) as l where (select holds from caller)),
shown_rows as (select id, given_name from listed where id is not null order by created_at desc, id desc limit ${slots.limit}),
${appendCtes(events)}
select not (select holds from caller) as stale, l.n::int as total, l.id, ${isoTimestamp(sql`l.created_at`)} as "createdAt", l.given_name as "givenName", l.family_name as "familyName",
  l.categories, ${isoTimestamp(sql`l.consent_valid_until`)} as "consentValidUntil", (select count(*) from appended)::int as audited
from (select 1) as one left join listed l on true order by l.created_at desc, l.id desc`
}
