// Audit test fixtures: young persons and consents straight in the database, audited accesses, owner-level tampering.
import { randomUUID } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { type Principal, resolvePrincipal } from '../../src/auth/principal.js'
import type { Tx } from '../../src/db/client.js'
import { accounts, auditEvents, auditHeads, consents, youngPersons } from '../../src/db/schema/index.js'
import { type AuditInput, recordAudit } from '../../src/modules/audit/audit.writer.js'
import { bearer, tokenFor } from '../helper.js'

export interface YoungPersonActor {
  id: string
  accountId: string
  subject: string
  headers: { authorization: string }
}

export async function insertYoungPerson(app: FastifyInstance, givenName = 'Aada'): Promise<YoungPersonActor> {
  const subject = `yp-${randomUUID()}`
  return app.database.transaction(async (tx) => {
    const [account] = await tx.insert(accounts).values({ kind: 'young_person', subject }).returning({ id: accounts.id })
    const [person] = await tx
      .insert(youngPersons)
      .values({ accountId: account!.id, givenName, familyName: 'Testinen', birthDate: '2005-04-01', email: 'aada@example.test' })
      .returning({ id: youngPersons.id })
    return { id: person!.id, accountId: account!.id, subject, headers: bearer(tokenFor(app, subject)) }
  })
}

export async function insertConsent(app: FastifyInstance, person: YoungPersonActor, grantee: { professionalId?: string; agencyId?: string }, categories: string[]) {
  const [row] = await app.database.db
    .insert(consents)
    .values({
      youngPersonId: person.id,
      granteeProfessionalId: grantee.professionalId ?? null,
      granteeAgencyId: grantee.agencyId ?? null,
      categories,
      actions: ['read'],
      purpose: 'Planning studies together',
      method: 'digital',
      grantedByAccountId: person.accountId,
      validUntil: new Date(Date.now() + 30 * 86_400_000),
    })
    .returning({ id: consents.id })
  return row!.id
}

export async function principalOf(app: FastifyInstance, subject: string, scopes: string[] = []): Promise<Principal> {
  const principal = await resolvePrincipal(app.database.db, subject, scopes)
  if (!principal) throw new Error(`no principal for ${subject}`)
  return principal
}

/** What the writer reads from a request: its id and the caller. */
export function requestBy(principal: Principal | null): FastifyRequest {
  return { id: `req-${randomUUID()}`, principal } as unknown as FastifyRequest
}

/** Records accesses the way a route does: in one transaction. */
export function audit(app: FastifyInstance, principal: Principal | null, inputs: AuditInput[]): Promise<void> {
  return app.database.transaction((tx) => recordAudit(tx, requestBy(principal), inputs))
}

export const read = (youngPersonId: string, extra: Partial<AuditInput> = {}): AuditInput => ({
  action: 'read',
  resourceType: 'Note',
  resourceId: randomUUID(),
  youngPersonId,
  category: 'education',
  outcome: 'allowed',
  ...extra,
})

export function chainEvents(app: FastifyInstance, chain: string) {
  return app.database.db.select().from(auditEvents).where(eq(auditEvents.chain, chain)).orderBy(auditEvents.seq)
}

/** What only the database owner can do: switch the append-only triggers off for one transaction. */
export function asDatabaseOwner(app: FastifyInstance, work: (tx: Tx) => Promise<unknown>): Promise<void> {
  return app.database.transaction(async (tx) => {
    await tx.execute(sql`alter table audit_events disable trigger user`)
    await work(tx)
    await tx.execute(sql`alter table audit_events enable trigger user`)
  })
}

export async function setSeq(tx: Tx, chain: string, from: number, to: number): Promise<void> {
  await tx.update(auditEvents).set({ seq: to }).where(and(eq(auditEvents.chain, chain), eq(auditEvents.seq, from)))
}

export async function setHead(tx: Tx, chain: string, seq: number, hash: string): Promise<void> {
  await tx.update(auditHeads).set({ seq, hash }).where(eq(auditHeads.chain, chain))
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
