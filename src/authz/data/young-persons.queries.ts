// SQL of young persons. The caseload's consent filter is rendered by src/authz in the same statement.
import { and, count, desc, eq, max, type SQL, sql } from 'drizzle-orm'
import type { Principal } from '../../auth/principal.js'
import type { AppAbility } from '../abilities.js'
import { readableIdentityColumn } from '../fields.js'
import { activeConsent, heldBy, heldCategories } from '../sql.js'
import type { Queryable } from '../../db/client.js'
import { accounts } from '../../db/schema/registry.js'
import { consents, youngPersons } from '../../db/schema/young-persons.js'
import { afterCursor, type PageRequest } from '../../http/pagination.js'

export interface NewYoungPerson {
  givenName: string
  familyName: string
  birthDate: string
  email?: string
  phone?: string
  subject?: string
  createdByProfessionalId: string | null
}

export async function insertYoungPerson(q: Queryable, input: NewYoungPerson) {
  let accountId: string | null = null
  if (input.subject !== undefined) {
    const [account] = await q.insert(accounts).values({ kind: 'young_person', subject: input.subject }).returning({ id: accounts.id })
    accountId = account!.id
  }
  const [row] = await q
    .insert(youngPersons)
    .values({
      accountId,
      givenName: input.givenName,
      familyName: input.familyName,
      birthDate: input.birthDate,
      email: input.email ?? null,
      phone: input.phone ?? null,
      createdByProfessionalId: input.createdByProfessionalId,
    })
    .returning()
  return row!
}

export async function findYoungPerson(q: Queryable, id: string) {
  const [row] = await q.select().from(youngPersons).where(eq(youngPersons.id, id))
  return row
}

/** One caseload page; each identity field where the ability lets the caller read it, as in the single read. */
export async function caseloadPage(q: Queryable, ability: AppAbility, principal: Principal, allowed: SQL, page: PageRequest) {
  return q
    .select({
      id: youngPersons.id,
      createdAt: youngPersons.createdAt,
      givenName: readableIdentityColumn(ability, principal, 'givenName'),
      familyName: readableIdentityColumn(ability, principal, 'familyName'),
      categories: heldCategories(principal, youngPersons.id, 'read'),
      consentValidUntil: sql<Date | null>`(${q
        .select({ until: max(consents.validUntil) })
        .from(consents)
        .where(and(eq(consents.youngPersonId, youngPersons.id), heldBy(principal), activeConsent))})`.mapWith(
        (value: string | Date | null) => (value === null ? null : new Date(value)),
      ),
    })
    .from(youngPersons)
    .where(and(allowed, afterCursor(page, youngPersons.createdAt, youngPersons.id, 'desc')))
    .orderBy(desc(youngPersons.createdAt), desc(youngPersons.id))
    .limit(page.limit + 1)
}

export async function caseloadTotal(q: Queryable, allowed: SQL): Promise<number> {
  const [row] = await q.select({ n: count() }).from(youngPersons).where(allowed)
  return row?.n ?? 0
}
