// SQL of the registry. None of these tables holds a young person's data.
import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
import { accounts, agencies, centres, partnerClients, professionalCentres, professionals } from '../../db/schema/registry.js'
import type { AgencyKind, PartnerScope, ProfessionalRole } from '../../db/schema/registry.js'
import { afterCursor, type PageRequest } from '../../http/pagination.js'

export async function insertAgency(q: Queryable, input: { name: string; kind: AgencyKind }) {
  const [row] = await q.insert(agencies).values(input).returning()
  return row!
}

export async function listAgencies(q: Queryable, page: PageRequest) {
  return q
    .select()
    .from(agencies)
    .where(afterCursor(page, agencies.createdAt, agencies.id, 'asc'))
    .orderBy(asc(agencies.createdAt), asc(agencies.id))
    .limit(page.limit + 1)
}

export async function findAgency(q: Queryable, id: string) {
  const [row] = await q.select().from(agencies).where(eq(agencies.id, id))
  return row
}

const professionalColumns = {
  id: professionals.id,
  agencyId: professionals.agencyId,
  role: professionals.role,
  displayName: professionals.displayName,
  active: accounts.active,
  createdAt: professionals.createdAt,
  centreIds: sql<string[]>`coalesce((select array_agg(pc.centre_id order by pc.centre_id) from ${professionalCentres} pc where pc.professional_id = ${professionals.id}), '{}')`,
}

export async function subjectTaken(q: Queryable, subject: string): Promise<boolean> {
  const [row] = await q.select({ id: accounts.id }).from(accounts).where(eq(accounts.subject, subject))
  return row !== undefined
}

export async function insertProfessional(
  q: Queryable,
  input: { agencyId: string; role: ProfessionalRole; displayName: string; subject: string; centreIds: string[] },
) {
  const [account] = await q.insert(accounts).values({ kind: 'professional', subject: input.subject }).returning({ id: accounts.id })
  const [row] = await q
    .insert(professionals)
    .values({ accountId: account!.id, agencyId: input.agencyId, role: input.role, displayName: input.displayName })
    .returning({ id: professionals.id })
  if (input.centreIds.length > 0) {
    await q.insert(professionalCentres).values(input.centreIds.map((centreId) => ({ professionalId: row!.id, centreId })))
  }
  return (await findProfessional(q, row!.id))!
}

export async function findProfessional(q: Queryable, id: string) {
  const [row] = await q
    .select(professionalColumns)
    .from(professionals)
    .innerJoin(accounts, eq(accounts.id, professionals.accountId))
    .where(eq(professionals.id, id))
  return row
}

export async function listProfessionals(q: Queryable, page: PageRequest, agencyId?: string) {
  return q
    .select(professionalColumns)
    .from(professionals)
    .innerJoin(accounts, eq(accounts.id, professionals.accountId))
    .where(and(agencyId ? eq(professionals.agencyId, agencyId) : undefined, afterCursor(page, professionals.createdAt, professionals.id, 'asc')))
    .orderBy(asc(professionals.createdAt), asc(professionals.id))
    .limit(page.limit + 1)
}

export async function deactivateProfessional(q: Queryable, id: string) {
  const [row] = await q
    .update(accounts)
    .set({ active: false })
    .where(inArray(accounts.id, q.select({ id: professionals.accountId }).from(professionals).where(eq(professionals.id, id))))
    .returning({ id: accounts.id })
  return row !== undefined
}

export async function insertCentre(q: Queryable, input: { name: string; municipality: string }) {
  const [row] = await q.insert(centres).values(input).returning()
  return row!
}

export async function listCentres(q: Queryable, page: PageRequest) {
  return q
    .select()
    .from(centres)
    .where(afterCursor(page, centres.createdAt, centres.id, 'asc'))
    .orderBy(asc(centres.createdAt), asc(centres.id))
    .limit(page.limit + 1)
}

export async function findCentre(q: Queryable, id: string) {
  const [row] = await q.select().from(centres).where(eq(centres.id, id))
  return row
}

export async function existingCentreIds(q: Queryable, ids: string[]) {
  if (ids.length === 0) return []
  const rows = await q.select({ id: centres.id }).from(centres).where(inArray(centres.id, ids))
  return rows.map((r) => r.id)
}

const partnerColumns = {
  id: partnerClients.id,
  clientId: partnerClients.clientId,
  name: partnerClients.name,
  agencyId: partnerClients.agencyId,
  scopes: partnerClients.scopes,
  active: partnerClients.active,
  createdAt: partnerClients.createdAt,
}

export async function insertPartnerClient(
  q: Queryable,
  input: { name: string; agencyId: string; scopes: PartnerScope[]; clientId: string; secretHash: string },
) {
  const [row] = await q.insert(partnerClients).values(input).returning(partnerColumns)
  return row!
}

export async function listPartnerClients(q: Queryable, page: PageRequest) {
  return q
    .select(partnerColumns)
    .from(partnerClients)
    .where(afterCursor(page, partnerClients.createdAt, partnerClients.id, 'asc'))
    .orderBy(asc(partnerClients.createdAt), asc(partnerClients.id))
    .limit(page.limit + 1)
}

export async function findPartnerClient(q: Queryable, id: string) {
  const [row] = await q.select(partnerColumns).from(partnerClients).where(eq(partnerClients.id, id))
  return row
}

export async function updatePartnerClient(q: Queryable, id: string, change: { active?: boolean; secretHash?: string }) {
  const [row] = await q
    .update(partnerClients)
    .set({ ...change, ...(change.secretHash ? { secretRotatedAt: new Date() } : {}) })
    .where(eq(partnerClients.id, id))
    .returning(partnerColumns)
  return row
}
