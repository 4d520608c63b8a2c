// SQL of the team: the grantees of the young person's active consents, with their agency (and of any consent, ever, for naming a new one).
import { and, desc, eq, type SQL, sql } from 'drizzle-orm'
import { activeConsent } from '../sql.js'
import type { Queryable } from '../../db/client.js'
import { accounts, agencies, professionals } from '../../db/schema/registry.js'
import { consents } from '../../db/schema/young-persons.js'
import { afterCursor, type PageRequest } from '../../http/pagination.js'

export async function listTeam(q: Queryable, youngPersonId: string, page: PageRequest, guard: SQL = sql`true`) {
  return q
    .select({
      consentId: consents.id,
      professionalId: consents.granteeProfessionalId,
      name: professionals.displayName,
      role: sql<string | null>`coalesce(${professionals.role}, ${consents.granteeRole})`,
      agencyId: agencies.id,
      agencyName: agencies.name,
      categories: consents.categories,
      actions: consents.actions,
      validUntil: consents.validUntil,
      createdAt: consents.createdAt,
    })
    .from(consents)
    .leftJoin(professionals, eq(professionals.id, consents.granteeProfessionalId))
    .innerJoin(agencies, eq(agencies.id, sql`coalesce(${professionals.agencyId}, ${consents.granteeAgencyId})`))
    .where(and(eq(consents.youngPersonId, youngPersonId), guard, activeConsent, afterCursor(page, consents.createdAt, consents.id, 'desc')))
    .orderBy(desc(consents.createdAt), desc(consents.id))
    .limit(page.limit + 1)
}

export type TeamRow = Awaited<ReturnType<typeof listTeam>>[number]

/** Everyone who holds or ever held a consent of the young person, with their agency: whom the young person may name in a new one. */
export async function listTeamEver(q: Queryable, youngPersonId: string) {
  return q
    .selectDistinct({
      professionalId: professionals.id,
      name: professionals.displayName,
      professionalRole: professionals.role,
      professionalActive: accounts.active,
      agencyId: agencies.id,
      agencyName: agencies.name,
      granteeRole: consents.granteeRole,
    })
    .from(consents)
    .leftJoin(professionals, eq(professionals.id, consents.granteeProfessionalId))
    .leftJoin(accounts, eq(accounts.id, professionals.accountId))
    .innerJoin(agencies, eq(agencies.id, sql`coalesce(${professionals.agencyId}, ${consents.granteeAgencyId})`))
    .where(eq(consents.youngPersonId, youngPersonId))
}

export type FormerOrCurrentMember = Awaited<ReturnType<typeof listTeamEver>>[number]
