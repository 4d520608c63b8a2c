// Who is calling: the JWT `sub` resolved to an active account (or partner client) on every request.
import { and, eq, sql } from 'drizzle-orm'
import type { Queryable } from '../db/client.js'
import type { PartnerScope, ProfessionalRole } from '../db/schema/index.js'
import { accounts, partnerClients, professionals, youngPersons } from '../db/schema/index.js'

export { PARTNER_SCOPES, type PartnerScope } from '../db/schema/index.js'

/** Partner-token subjects are `partner:<clientId>`; nothing else may start with that prefix. */
export const PARTNER_SUBJECT_PREFIX = 'partner:'

export type Principal =
  | { kind: 'admin'; accountId: string }
  | { kind: 'auditor'; accountId: string }
  | {
      kind: 'professional'
      accountId: string
      professionalId: string
      agencyId: string
      role: ProfessionalRole
      displayName: string
    }
  | { kind: 'young_person'; accountId: string; youngPersonId: string }
  | { kind: 'partner'; partnerClientId: string; clientId: string; agencyId: string; scopes: PartnerScope[] }

/** The id that owns idempotency keys, rate-limit buckets and audit entries for this caller. */
export function principalId(principal: Principal): string {
  return principal.kind === 'partner' ? principal.partnerClientId : principal.accountId
}

/** The two look-ups of every request, prepared once per database handle (one round trip each, parsed once). */
function lookups(q: Queryable) {
  const partner = q
    .select({
      id: partnerClients.id,
      clientId: partnerClients.clientId,
      agencyId: partnerClients.agencyId,
      scopes: partnerClients.scopes,
      secretRotatedAt: partnerClients.secretRotatedAt,
    })
    .from(partnerClients)
    .where(and(eq(partnerClients.clientId, sql.placeholder('clientId')), eq(partnerClients.active, true)))
    .prepare('polku_principal_partner')
  const account = q
    .select({
      accountId: accounts.id,
      kind: accounts.kind,
      professionalId: professionals.id,
      agencyId: professionals.agencyId,
      role: professionals.role,
      displayName: professionals.displayName,
      youngPersonId: youngPersons.id,
    })
    .from(accounts)
    .leftJoin(professionals, eq(professionals.accountId, accounts.id))
    .leftJoin(youngPersons, eq(youngPersons.accountId, accounts.id))
    .where(and(eq(accounts.subject, sql.placeholder('subject')), eq(accounts.active, true)))
    .prepare('polku_principal_account')
  return { partner, account }
}

const prepared = new WeakMap<Queryable, ReturnType<typeof lookups>>()

function lookupsFor(q: Queryable): ReturnType<typeof lookups> {
  let found = prepared.get(q)
  if (found === undefined) {
    found = lookups(q)
    prepared.set(q, found)
  }
  return found
}

/**
 * `issuedAt` is the token's `iat` (seconds); when given, a partner token issued before the client's
 * last secret rotation no longer counts, so rotating after a leak also ends the tokens already out.
 */
export async function resolvePrincipal(q: Queryable, subject: string, tokenScopes: string[], issuedAt?: number): Promise<Principal | null> {
  const { partner, account } = lookupsFor(q)
  if (subject.startsWith(PARTNER_SUBJECT_PREFIX)) {
    const [client] = await partner.execute({ clientId: subject.slice(PARTNER_SUBJECT_PREFIX.length) })
    if (!client) return null
    if (issuedAt !== undefined && client.secretRotatedAt && issuedAt < Math.floor(client.secretRotatedAt.getTime() / 1000)) return null
    // A scope removed from the client since the token was issued no longer counts.
    const scopes = client.scopes.filter((s) => tokenScopes.includes(s))
    return { kind: 'partner', partnerClientId: client.id, clientId: client.clientId, agencyId: client.agencyId, scopes }
  }
  const [row] = await account.execute({ subject })
  if (!row) return null
  switch (row.kind) {
    case 'admin':
    case 'auditor':
      return { kind: row.kind, accountId: row.accountId }
    case 'professional':
      if (!row.professionalId || !row.agencyId || !row.role || !row.displayName) return null
      return {
        kind: 'professional',
        accountId: row.accountId,
        professionalId: row.professionalId,
        agencyId: row.agencyId,
        role: row.role,
        displayName: row.displayName,
      }
    case 'young_person':
      if (!row.youngPersonId) return null
      return { kind: 'young_person', accountId: row.accountId, youngPersonId: row.youngPersonId }
    default:
      return null
  }
}
