// Who may reopen a closed pathway: the young person, or a professional under a consent the young person gave after the closing.
import { sql } from 'drizzle-orm'
import type { Principal } from '../auth/principal.js'
import { type Queryable, queryRows } from '../db/client.js'
import { activeConsent, heldBy } from './sql.js'

/** A closing ends the work; only the young person's own step, or a `pathway` write consent given since, starts it again. */
export async function mayReopen(q: Queryable, principal: Principal, youngPersonId: string, closedAt: Date): Promise<boolean> {
  if (principal.kind === 'young_person') return true
  const rows = await queryRows<{ id: string }>(
    q,
    sql`select id from consents where young_person_id = ${youngPersonId} and ${heldBy(principal)} and ${activeConsent}
      and 'pathway' = any(categories) and 'write' = any(actions) and created_at > ${closedAt.toISOString()}::timestamptz limit 1`,
  )
  return rows.length > 0
}
