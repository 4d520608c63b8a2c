// Consent held by the receiving side of a referral: the agency (for the addressed role) or an active professional of it.
import { and, eq, sql } from 'drizzle-orm'
import type { Queryable } from '../db/client.js'
import { accounts, consents, professionals } from '../db/schema/index.js'
import { activeConsent } from './sql.js'

/**
 * Whether the young person already lets someone on the receiving side read everything the referral
 * is about: one active read consent covering all of `categories`, held by the agency (for the
 * addressed role), or by an active professional of it who could act on the referral.
 */
export async function receiverHasConsent(
  q: Queryable,
  youngPersonId: string,
  toAgencyId: string,
  toRole: string | null,
  categories: readonly string[],
): Promise<boolean> {
  const role = toRole ?? null
  const [row] = await q
    .select({ id: consents.id })
    .from(consents)
    .where(
      and(
        eq(consents.youngPersonId, youngPersonId),
        activeConsent,
        sql`'read' = any(${consents.actions})`,
        sql`${`{${categories.join(',')}}`}::text[] <@ ${consents.categories}`,
        sql`(
          (${consents.granteeAgencyId} = ${toAgencyId} and (${consents.granteeRole} is null or ${role}::text is null or ${consents.granteeRole} = ${role}::text))
          or ${consents.granteeProfessionalId} in (
            select p.id from ${professionals} p join ${accounts} a on a.id = p.account_id
            where p.agency_id = ${toAgencyId} and a.active and (${role}::text is null or p.role = ${role}::text)
          )
        )`,
      ),
    )
    .limit(1)
  return row !== undefined
}
