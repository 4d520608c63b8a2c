// The single audited read of a young person's record: rules, consent check, data and audit event in one statement.
import { type Query, type SQL, sql } from 'drizzle-orm'
import type { FastifyRequest } from 'fastify'
import { type Database, renderStatement } from '../db/client.js'
import { consents, youngPersons } from '../db/schema/young-persons.js'
import { NotFoundError } from '../errors.js'
import { appendCtes, decidedEventInput, type EventStampSql, eventStamp, STAMP_PLACEHOLDERS, stampSql, stampValues } from '../modules/audit/audit.writer.js'
import { defineAbilityFor, IDENTITY_FIELDS } from './abilities.js'
import { perCaller } from './per-caller.js'
import { asCallerIsNow, callerHolds } from './remembered.js'
import { accessibleWhere, activeConsent, fieldWhere, heldBy } from './sql.js'

export type IdentityField = (typeof IDENTITY_FIELDS)[number]

/** A young person as the caller may see them: identity fields only where a rule allows each. */
export interface YoungPersonView {
  id: string
  createdAt: string
  categories: string[]
  givenName?: string
  familyName?: string
  birthDate?: string
  email?: string | null
  phone?: string | null
}

const COLUMN: Record<IdentityField, SQL> = {
  givenName: sql`${youngPersons.givenName}`,
  familyName: sql`${youngPersons.familyName}`,
  birthDate: sql`${youngPersons.birthDate}::text`,
  email: sql`${youngPersons.email}`,
  phone: sql`${youngPersons.phone}`,
}

/** ISO 8601 in UTC with milliseconds, as `Date.toISOString` writes it, whichever driver reads it. */
export const isoTimestamp = (column: SQL | typeof youngPersons.createdAt): SQL<string> =>
  sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

interface Row {
  /** The remembered principal no longer holds (see `principalStillHolds`): no data, no event. */
  stale: boolean
  allowed: boolean
  id: string | null
  createdAt: string | null
  categories: string[] | null
  [field: `f${number}`]: string | null
  [grant: `g${number}`]: boolean | null
}

/**
 * Reads one young person and writes its audit event (allowed, or denied when the record is missing or
 * not consented) in one statement: one round trip, one snapshot, no lock on consents. A revocation
 * committed before the statement starts is seen by it; the event and the data commit together.
 */
export async function readYoungPerson(database: Database, request: FastifyRequest, id: string): Promise<YoungPersonView> {
  const attempt = async () => {
    const { query, grants } = preparedRead(request)
    const [row] = await database.statement<Row>(query, { id, ...stampValues(eventStamp(request)) })
    return { row, grants }
  }
  const { row, grants } = await asCallerIsNow(request, attempt, (found) => found.row?.stale === true)
  if (row === undefined) throw new Error('the audit event of a read was not written')
  if (!row.allowed || row.id === null || row.createdAt === null) throw new NotFoundError()
  const view: YoungPersonView = { id: row.id, createdAt: row.createdAt, categories: row.categories ?? [] }
  IDENTITY_FIELDS.forEach((field, i) => {
    const grant = grants.findIndex((g) => g.fields.includes(field))
    if (row[`g${grant}`] === true) (view as unknown as Record<string, string | null>)[field] = row[`f${i}`] ?? null
  })
  return view
}

/** What one read has that the next does not: the young person, and its event's id, time and request. */
export interface ReadSlots {
  id: SQL
  stamp: EventStampSql
}

const PLACEHOLDERS: ReadSlots = { id: sql`${sql.placeholder('id')}`, stamp: STAMP_PLACEHOLDERS }

/** The slots filled with one request's own values (the plan tests). */
export function readSlots(request: FastifyRequest, id: string): ReadSlots {
  return { id: sql`${id}`, stamp: stampSql(eventStamp(request)) }
}

interface PreparedRead {
  query: Query
  grants: { fields: IdentityField[] }[]
}

/** The read's statement, rendered once per caller (`perCaller`). */
const prepared = new Map<string, PreparedRead>()

function preparedRead(request: FastifyRequest): PreparedRead {
  return perCaller(prepared, request, null, () => {
    const { statement, grants } = youngPersonRead(request, PLACEHOLDERS)
    return { query: renderStatement(statement), grants }
  })
}

/** The one statement of `readYoungPerson` (exported for the plan tests), and which identity fields each grant column covers. */
export function youngPersonRead(request: FastifyRequest, slots: ReadSlots): { statement: SQL; grants: { fields: IdentityField[] }[] } {
  const id = slots.id
  const principal = request.principal
  const ability = defineAbilityFor(principal)
  const allowed = accessibleWhere(ability, principal, 'read', 'YoungPerson')
  // Fields granted by the same rules share one condition: one EXISTS for the five identity fields.
  const groups = new Map<string, { condition: SQL; fields: IdentityField[] }>()
  const ruleIds = new Map<object, number>()
  for (const field of IDENTITY_FIELDS) {
    const key = ability
      .rulesFor('read', 'YoungPerson', field)
      .map((rule) => {
        if (!ruleIds.has(rule)) ruleIds.set(rule, ruleIds.size)
        return ruleIds.get(rule)
      })
      .join(',')
    const group = groups.get(key) ?? { condition: fieldWhere(ability, principal, 'read', 'YoungPerson', field), fields: [] }
    group.fields.push(field)
    groups.set(key, group)
  }
  const grants = [...groups.values()]
  const identityGrant = grants.findIndex((g) => g.fields.includes('givenName'))
  const ownRecord = principal.kind === 'young_person'

  // A remembered principal is re-checked here, in the statement's own snapshot.
  const statement = sql`with caller as (select ${callerHolds(request)} as holds),
target as (
  select ${youngPersons.id} as id, ${isoTimestamp(youngPersons.createdAt)} as created_at, ${sql.join(
    IDENTITY_FIELDS.map((field, i) => sql`${COLUMN[field]} as f${sql.raw(String(i))}`),
    sql`, `,
  )}, (${allowed}) as allowed, ${sql.join(
    grants.map((g, i) => sql`(${g.condition}) as g${sql.raw(String(i))}`),
    sql`, `,
  )}
  from ${youngPersons} where ${youngPersons.id} = ${id}
),
held as (
  select ${consents.id} as id, ${consents.categories} as categories from ${consents}
  where ${consents.youngPersonId} = ${id} and ${heldBy(principal)} and ${activeConsent}
),
decided as (
  select t.id, coalesce(t.allowed, false) as allowed, coalesce(t.allowed and t.g${sql.raw(String(identityGrant))}, false) as identity
  from (select 1) as one left join target t on true
  where (select holds from caller)
),
${appendCtes(
  decidedEventInput(
    request,
    { action: 'read', resourceType: 'YoungPerson' },
    {
      resourceId: id,
      youngPersonId: sql`decided.id`,
      category: sql`case when decided.identity then 'identity' end`,
      consentIds: sql`case when decided.allowed then array(select held.id from held) else '{}'::uuid[] end`,
      outcome: sql`case when decided.allowed then 'allowed' else 'denied' end`,
    },
    sql`decided`,
    slots.stamp,
  ),
)}
select not (select holds from caller) as stale, d.allowed, t.id, t.created_at as "createdAt", ${sql.join(
    IDENTITY_FIELDS.map((_, i) => sql`t.f${sql.raw(String(i))}`),
    sql`, `,
  )}, ${sql.join(
    grants.map((_, i) => sql`t.g${sql.raw(String(i))}`),
    sql`, `,
  )},
  ${ownRecord ? sql`array['identity']` : sql`array(select distinct c collate "C" from held, unnest(held.categories) c order by 1)`} as categories
from (select 1) as one left join decided d on true left join target t on d.allowed
where (select count(*) from appended) = 1 or not (select holds from caller)`

  return { statement, grants }
}
