// A withdrawal in one statement: the rules, the locked consent, its withdrawal, its audit event and what partners are told.
import { type SQL, sql } from 'drizzle-orm'
import type { FastifyRequest } from 'fastify'
import type { Database } from '../db/client.js'
import { consents } from '../db/schema/young-persons.js'
import { agencies, professionals } from '../db/schema/registry.js'
import { ForbiddenError, NotFoundError } from '../errors.js'
import { appendCtes, decidedEventInput } from '../modules/audit/audit.writer.js'
import { defineAbilityFor } from './abilities.js'
import type { HeldConsent } from './consent-condition.js'
import { type ConsentRow, lockedConsentQuery } from './data/consents.queries.js'
import { asCallerIsNow, callerHolds } from './remembered.js'
import { scopeWith } from './scope.js'
import { accessibleWhere, activeConsent, heldBy } from './sql.js'

/** The consent as the statement found it (JSON keys as `ConsentRow` names them; times as text). */
type FoundConsent = { [K in keyof ConsentRow]: ConsentRow[K] extends Date | null ? string | null : ConsentRow[K] }

interface Row {
  /** The remembered principal no longer holds (see `principalStillHolds`): nothing was read or written. */
  stale: boolean
  consent: FoundConsent | null
  allowed: boolean
  revokedAt: string | null
  revokerProfessionalId: string | null
  revokerName: string | null
  revokerRole: ConsentRow['revokerRole']
  revokerAgencyName: string | null
  held: HeldConsent[] | null
  audited: number
}

/** The outcome: withdrawn (and whether the caller may still read the consent), or found no longer active (nothing written). */
export type Withdrawal = { withdrawn: ConsentRow; callerMayRead: boolean } | { inactive: ConsentRow }

const TIMES = ['validFrom', 'validUntil', 'revokedAt', 'supersededAt', 'createdAt'] as const

function consentRow(found: FoundConsent): ConsentRow {
  const row = { ...found } as unknown as Record<string, unknown>
  for (const key of TIMES) row[key] = found[key] === null ? null : new Date(found[key] as string)
  return row as unknown as ConsentRow
}

/**
 * Withdraws a consent in one statement: one round trip, one snapshot. The consent is locked (two
 * withdrawals of one consent take turns; readers take no lock, so this never waits for them), the
 * rules decide in SQL, and the withdrawal, its audit event and the partners' deliveries (`announce`:
 * an insert over the withdrawn consent's columns) commit together. A consent that is missing, or
 * that the caller may not withdraw, is the same 404 with a denied event; one no longer active is
 * left as it is, with no event. `announce` comes from the webhook outbox, which sits above the door.
 */
export async function withdrawConsent(database: Database, request: FastifyRequest, consentId: string, announce: (withdrawn: SQL) => SQL): Promise<Withdrawal> {
  const run = async () => (await database.statement<Row>(withdrawalStatement(database, request, consentId, announce)))[0]
  const row = await asCallerIsNow(request, run, (found) => found?.stale === true)
  if (row === undefined) throw new Error('the withdrawal statement answered nothing')
  const found = row.consent === null ? undefined : consentRow(row.consent)
  const scope = scopeWith(request.principal, row.held ?? [])
  const withdrawn = row.revokedAt !== null
  if (Number(row.audited) !== (withdrawn || !row.allowed ? 1 : 0)) throw new Error('the audit event of a withdrawal was not written')
  if (found === undefined || !row.allowed) {
    // Saying "not allowed" reveals nothing to a caller who may read the consent anyway.
    if (found !== undefined && scope.can('read', 'Consent', found)) throw new ForbiddenError('Your consent for this young person does not allow this change')
    throw new NotFoundError()
  }
  if (!withdrawn) return { inactive: found }
  const consent: ConsentRow = {
    ...found,
    revokedAt: new Date(row.revokedAt!),
    revokerProfessionalId: row.revokerProfessionalId,
    revokerName: row.revokerName,
    revokerRole: row.revokerRole,
    revokerAgencyName: row.revokerAgencyName,
  }
  return { withdrawn: consent, callerMayRead: scope.without(consent.id).can('read', 'Consent', consent) }
}

/** The one statement of `withdrawConsent` (exported for the plan tests). */
export function withdrawalStatement(database: Database, request: FastifyRequest, consentId: string, announce: (withdrawn: SQL) => SQL): SQL {
  const principal = request.principal
  const ability = defineAbilityFor(principal)
  const mayRevoke = accessibleWhere(ability, principal, 'revoke', 'Consent')
  // A partner system never records a withdrawal (no rule lets it); the account is only written when one is allowed.
  const accountId = principal.kind === 'partner' ? null : principal.accountId
  const locked = lockedConsentQuery(database.db, consentId)
  const columns = sql.join(
    locked.columns.map((name) => sql.identifier(name)),
    sql`, `,
  )

  return sql`with caller as (select ${callerHolds(request)} as holds),
target (${columns}) as (${locked.query}),
decided as (
  select t."id" as id, t."youngPersonId" as young_person_id, (${mayRevoke}) as allowed,
    (t."revokedAt" is null and t."supersededAt" is null and t."validUntil" > now()) as active
  from target t join ${consents} on ${consents.id} = t."id"
  where (select holds from caller)
),
revoked as (
  update ${consents} set revoked_at = now(), revoked_by_account_id = ${accountId}::uuid
  from decided d
  where ${consents.id} = d.id and d.allowed and d.active and ${consents.revokedAt} is null
  returning ${consents.id} as id, ${consents.youngPersonId} as young_person_id, ${consents.granteeAgencyId} as grantee_agency_id, ${consents.granteeRole} as grantee_role,
    ${consents.categories} as categories, ${consents.actions} as actions, ${consents.validUntil} as valid_until, ${consents.revokedAt} as revoked_at
),
announced as (${announce(sql`revoked`)}),
held as (
  select ${consents.id} as id, ${consents.youngPersonId} as "youngPersonId", ${consents.categories} as categories, ${consents.actions} as actions
  from ${consents} where ${consents.youngPersonId} = (select young_person_id from decided) and ${heldBy(principal)} and ${activeConsent}
),
outcome as (
  select young_person_id, exists (select 1 from revoked) as withdrawn, allowed
  from (select 1) as one left join decided on true
  where (select holds from caller)
),
${appendCtes(
  decidedEventInput(
    request,
    { action: 'revoke', resourceType: 'Consent', resourceId: consentId },
    {
      youngPersonId: sql`outcome.young_person_id`,
      category: sql`null`,
      consentIds: sql`case when outcome.withdrawn then array[${consentId}::uuid] else '{}'::uuid[] end`,
      outcome: sql`case when outcome.withdrawn then 'allowed' else 'denied' end`,
    },
    sql`outcome where outcome.withdrawn or not coalesce(outcome.allowed, false)`,
  ),
)}
select not (select holds from caller) as stale, (select to_json(t) from target t) as consent, coalesce((select allowed from decided), false) as allowed,
  to_char(r.revoked_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "revokedAt", p.id as "revokerProfessionalId", p.display_name as "revokerName", p.role as "revokerRole", a.name as "revokerAgencyName",
  (select json_agg(held) from held) as held, (select count(*) from appended)::int as audited
from (select 1) as one left join revoked r on true left join ${professionals} p on p.account_id = ${accountId}::uuid and r.id is not null left join ${agencies} a on a.id = p.agency_id`
}
