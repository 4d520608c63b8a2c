// Who is calling: the JWT `sub` resolved to an active account (or partner client) on every request.
import { and, eq, type SQL, sql } from 'drizzle-orm'
import type { Queryable } from '../db/client.js'
import type { PartnerScope, ProfessionalRole } from '../db/schema/registry.js'
import { accounts, partnerClients, professionals } from '../db/schema/registry.js'
import { youngPersons } from '../db/schema/young-persons.js'

export { PARTNER_SCOPES, type PartnerScope } from '../db/schema/registry.js'

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

/** What a verified token says about its caller: enough to resolve, or re-check, the principal. */
export interface TokenClaims {
  subject: string
  scopes: string[]
  issuedAt?: number
}

/**
 * SQL, true while the token's subject still resolves to exactly this principal (active, same agency,
 * role, name and scopes; a partner token not older than the last secret rotation). A statement that
 * carries it re-checks a remembered principal in its own snapshot, so deactivation and every change
 * still count from the very next request without a look-up of their own.
 */
export function principalStillHolds(principal: Principal, token: TokenClaims): SQL {
  if (principal.kind === 'partner') {
    const issuedAt = token.issuedAt ?? 0
    const scopes = [...principal.scopes].sort()
    return sql`exists (select 1 from ${partnerClients} c where c.id = ${principal.partnerClientId} and c.client_id = ${principal.clientId}
      and c.active and c.agency_id = ${principal.agencyId}
      and (c.secret_rotated_at is null or ${issuedAt} >= floor(extract(epoch from c.secret_rotated_at)))
      and coalesce((select array_agg(s order by s) from unnest(c.scopes) s where s = any(${`{${token.scopes.join(',')}}`}::text[])), '{}') = ${`{${scopes.join(',')}}`}::text[])`
  }
  const account = sql`a.id = ${principal.accountId} and a.subject = ${token.subject} and a.active and a.kind = ${principal.kind}`
  if (principal.kind === 'professional') {
    return sql`exists (select 1 from ${accounts} a join ${professionals} p on p.account_id = a.id where ${account}
      and p.id = ${principal.professionalId} and p.agency_id = ${principal.agencyId} and p.role = ${principal.role} and p.display_name = ${principal.displayName})`
  }
  if (principal.kind === 'young_person') {
    return sql`exists (select 1 from ${accounts} a join ${youngPersons} y on y.account_id = a.id where ${account} and y.id = ${principal.youngPersonId})`
  }
  return sql`exists (select 1 from ${accounts} a where ${account})`
}
