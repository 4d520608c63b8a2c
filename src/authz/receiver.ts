// Consent held by the receiving side of a referral: someone there who could act on it, by the one grantee rule of sql.ts.
import { and, eq, sql } from 'drizzle-orm'
import type { Queryable } from '../db/client.js'
import { accounts, professionals } from '../db/schema/registry.js'
import { consents } from '../db/schema/young-persons.js'
import { activeConsent, heldByHolder } from './sql.js'

/**
 * Whether the young person already lets someone on the receiving side read everything the referral
 * is about: one active read consent covering all of `categories`, held (as `heldBy` decides for a
 * caller) by an active professional of the receiving agency in the addressed role, or by the
 * agency's partner system.
 */
export async function receiverHasConsent(
  q: Queryable,
  youngPersonId: string,
  toAgencyId: string,
  toRole: string | null,
  categories: readonly string[],
): Promise<boolean> {
  const role = toRole ?? null
  const colleague = heldByHolder(consents, { kind: 'professional', professionalId: sql`p.id`, agencyId: sql`p.agency_id`, role: sql`p.role` })
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
          exists (
            select 1 from ${professionals} p join ${accounts} a on a.id = p.account_id
            where p.agency_id = ${toAgencyId} and a.active and (${role}::text is null or p.role = ${role}::text) and ${colleague}
          )
          or ${heldByHolder(consents, { kind: 'partner', agencyId: toAgencyId })}
        )`,
      ),
    )
    .limit(1)
  return row !== undefined
}
