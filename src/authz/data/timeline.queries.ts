// The timeline as one UNION ALL statement: each branch filtered by the caller's ability and the page's keyset.
import { and, type AnyColumn, eq, type SQL, sql } from 'drizzle-orm'
import type { Principal } from '../../auth/principal.js'
import type { AppAbility } from '../abilities.js'
import { accessibleWhere } from '../sql.js'
import type { PersonalSubject } from '../subjects.js'
import { queryRows, type Queryable } from '../../db/client.js'
import { goals, notes, referrals, steps } from '../../db/schema/pathway.js'
import { consentRequests, consents } from '../../db/schema/young-persons.js'
import { afterCursor, type PageRequest } from '../../http/pagination.js'
import { effectiveStatus } from './referrals.queries.js'

export const TIMELINE_TYPES = ['goal', 'step', 'note', 'referral', 'consent_granted', 'consent_revoked', 'consent_expired', 'consent_requested'] as const
export type TimelineType = (typeof TIMELINE_TYPES)[number]

export interface TimelineRow {
  type: TimelineType
  id: string
  /** ISO 8601, UTC, millisecond precision: the keyset value exactly as stored. */
  at: string
  category: string | null
  title: string | null
  status: string | null
  body: string | null
  goalId: string | null
  correctsId: string | null
  professionalId: string | null
  agencyId: string | null
  role: string | null
  categories: string[] | null
}

/** The summary columns of one kind of item; the ones it lacks are null. */
interface Fields {
  category?: SQL | AnyColumn
  title?: AnyColumn
  status?: SQL | AnyColumn
  body?: AnyColumn
  goalId?: AnyColumn
  correctsId?: AnyColumn
  professionalId?: AnyColumn
  agencyId?: AnyColumn
  role?: AnyColumn
  categories?: AnyColumn
}

interface Branch {
  type: TimelineType
  subject: PersonalSubject
  table: typeof goals | typeof steps | typeof notes | typeof referrals | typeof consents | typeof consentRequests
  youngPerson: AnyColumn
  at: AnyColumn
  id: AnyColumn
  fields: Fields
  /** Only rows for which this kind of event has happened. */
  happened?: SQL
}

const consentFields: Fields = {
  professionalId: consents.granteeProfessionalId,
  agencyId: consents.granteeAgencyId,
  role: consents.granteeRole,
  categories: consents.categories,
}

const BRANCHES: Branch[] = [
  {
    type: 'goal',
    subject: 'Goal',
    table: goals,
    youngPerson: goals.youngPersonId,
    at: goals.createdAt,
    id: goals.id,
    fields: { category: sql`coalesce(${goals.category}, 'pathway')`, title: goals.title, status: goals.status, professionalId: goals.createdByProfessionalId },
  },
  {
    type: 'step',
    subject: 'Step',
    table: steps,
    youngPerson: steps.youngPersonId,
    at: steps.createdAt,
    id: steps.id,
    fields: { category: sql`'pathway'`, title: steps.title, status: steps.status, goalId: steps.goalId, professionalId: steps.ownerProfessionalId },
  },
  {
    type: 'note',
    subject: 'Note',
    table: notes,
    youngPerson: notes.youngPersonId,
    at: notes.createdAt,
    id: notes.id,
    fields: { category: notes.category, body: notes.body, correctsId: notes.correctsId, professionalId: notes.authorProfessionalId },
  },
  {
    type: 'referral',
    subject: 'Referral',
    table: referrals,
    youngPerson: referrals.youngPersonId,
    at: referrals.createdAt,
    id: referrals.id,
    fields: {
      category: sql`'pathway'`,
      status: effectiveStatus,
      professionalId: referrals.fromProfessionalId,
      agencyId: referrals.toAgencyId,
      role: referrals.toRole,
      categories: referrals.categories,
    },
  },
  { type: 'consent_granted', subject: 'Consent', table: consents, youngPerson: consents.youngPersonId, at: consents.createdAt, id: consents.id, fields: consentFields },
  {
    type: 'consent_revoked',
    subject: 'Consent',
    table: consents,
    youngPerson: consents.youngPersonId,
    at: consents.revokedAt,
    id: consents.id,
    fields: consentFields,
    happened: sql`${consents.revokedAt} is not null`,
  },
  {
    type: 'consent_expired',
    subject: 'Consent',
    table: consents,
    youngPerson: consents.youngPersonId,
    at: consents.validUntil,
    id: consents.id,
    fields: consentFields,
    happened: sql`${consents.validUntil} <= now() and ${consents.revokedAt} is null and ${consents.supersededAt} is null`,
  },
  {
    type: 'consent_requested',
    subject: 'ConsentRequest',
    table: consentRequests,
    youngPerson: consentRequests.youngPersonId,
    at: consentRequests.createdAt,
    id: consentRequests.id,
    fields: {
      status: sql`(case when ${consentRequests.status} = 'pending' and ${consentRequests.expiresAt} <= now() then 'expired' else ${consentRequests.status} end)`,
      professionalId: consentRequests.requestedByProfessionalId,
      agencyId: consentRequests.granteeAgencyId,
      role: consentRequests.granteeRole,
      categories: consentRequests.categories,
    },
  },
]

const text = (value: SQL | AnyColumn | undefined) => (value === undefined ? sql`null::text` : sql`${value}::text`)
const uuid = (value: AnyColumn | undefined) => (value === undefined ? sql`null::uuid` : sql`${value}`)

/**
 * One branch: at most `limit + 1` rows of one kind after the cursor, newest first. Each branch is
 * cut to the page on its own, so the union never holds more than a page per kind of item.
 */
function branchSql(branch: Branch, ability: AppAbility, principal: Principal, youngPersonId: string, page: PageRequest): SQL {
  const f = branch.fields
  const where = and(
    eq(branch.youngPerson, youngPersonId),
    branch.happened,
    accessibleWhere(ability, principal, 'read', branch.subject),
    afterCursor(page, branch.at, branch.id, 'desc'),
  )
  return sql`(select ${branch.type}::text as type, ${branch.id} as id, ${branch.at} as at, ${text(f.category)} as category, ${text(f.title)} as title,
    ${text(f.status)} as status, ${text(f.body)} as body, ${uuid(f.goalId)} as goal_id, ${uuid(f.correctsId)} as corrects_id,
    ${uuid(f.professionalId)} as professional_id, ${uuid(f.agencyId)} as agency_id, ${text(f.role)} as role,
    ${f.categories === undefined ? sql`null::json` : sql`array_to_json(${f.categories})`} as categories
    from ${branch.table} where ${where} order by ${branch.at} desc, ${branch.id} desc limit ${page.limit + 1})`
}

/** A page of the young person's timeline, newest first, holding only what `ability` lets the caller read. */
export async function timelinePage(q: Queryable, ability: AppAbility, principal: Principal, youngPersonId: string, page: PageRequest): Promise<TimelineRow[]> {
  const union = sql.join(
    BRANCHES.map((b) => branchSql(b, ability, principal, youngPersonId, page)),
    sql` union all `,
  )
  return queryRows<TimelineRow>(
    q,
    sql`select type, id, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "at", category, title, status, body,
      goal_id as "goalId", corrects_id as "correctsId", professional_id as "professionalId", agency_id as "agencyId", role, categories
    from (${union}) as timeline order by timeline.at desc, timeline.id desc limit ${page.limit + 1}`,
  )
}
