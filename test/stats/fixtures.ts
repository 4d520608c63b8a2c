// Fixtures for the anonymous visit and statistics tests: partner tokens, a young person in the database, visit counts.
import { randomUUID } from 'node:crypto'
import { count } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { mintToken } from '../../src/auth/tokens.js'
import { accounts, visits, youngPersons } from '../../src/db/schema/index.js'
import { centreToday } from '../../src/modules/visits/visits.service.js'
import { type Actor, createPartnerClient } from '../factories.js'
import { bearer, tokenFor } from '../helper.js'

/** A partner system's bearer headers, as the token endpoint would issue them for these scopes. */
export async function partnerHeaders(app: FastifyInstance, admin: Actor, agencyId: string, scopes: string[]) {
  const client = await createPartnerClient(app, admin, { agencyId, scopes })
  return bearer(mintToken(app.config.jwt, { subject: `partner:${client.clientId}`, ttlSeconds: 600, scope: scopes }))
}

/** A young person with a login, written straight to the database. */
export async function insertYoungPerson(app: FastifyInstance, givenName: string, familyName: string) {
  const subject = `yp-${randomUUID()}`
  return app.database.transaction(async (tx) => {
    const [account] = await tx.insert(accounts).values({ kind: 'young_person', subject }).returning({ id: accounts.id })
    const [person] = await tx
      .insert(youngPersons)
      .values({ accountId: account!.id, givenName, familyName, birthDate: '2006-02-03', email: `${givenName.toLowerCase()}@example.test` })
      .returning({ id: youngPersons.id })
    return { id: person!.id, headers: bearer(tokenFor(app, subject)) }
  })
}

export async function visitCount(app: FastifyInstance): Promise<number> {
  const [row] = await app.database.db.select({ n: count() }).from(visits)
  return row!.n
}

/** A day relative to today on the centres' calendar. */
export function centreDay(offsetDays: number): string {
  return centreToday(new Date(Date.now() + offsetDays * 86_400_000))
}
