// SQL of link codes: issue, look up by hash (locked), mark used; and binding a login to a young person.
import { eq, like } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
import { accounts } from '../../db/schema/registry.js'
import { linkCodes } from '../../db/schema/self-service.js'
import { youngPersons } from '../../db/schema/young-persons.js'

export async function insertLinkCode(q: Queryable, youngPersonId: string, codeHash: string, expiresAt: Date): Promise<void> {
  await q.insert(linkCodes).values({ youngPersonId, codeHash, expiresAt })
}

export async function lockLinkCode(q: Queryable, codeHash: string) {
  const [row] = await q.select().from(linkCodes).where(eq(linkCodes.codeHash, codeHash)).for('update')
  return row
}

export async function findAccountBySubject(q: Queryable, subject: string) {
  const [row] = await q.select({ id: accounts.id }).from(accounts).where(eq(accounts.subject, subject))
  return row
}

/** The subjects of accounts whose subject starts with `prefix`, in order. */
export async function accountSubjectsStartingWith(q: Queryable, prefix: string): Promise<string[]> {
  const rows = await q.select({ subject: accounts.subject }).from(accounts).where(like(accounts.subject, `${prefix}%`)).orderBy(accounts.subject)
  return rows.map((row) => row.subject)
}

export async function youngPersonAccount(q: Queryable, youngPersonId: string) {
  const [row] = await q.select({ accountId: youngPersons.accountId }).from(youngPersons).where(eq(youngPersons.id, youngPersonId)).for('update')
  return row
}

/** Creates the young person's account for `subject` and binds it to their record, using up the code. */
export async function bindLogin(q: Queryable, codeId: string, youngPersonId: string, subject: string): Promise<string> {
  const [account] = await q.insert(accounts).values({ kind: 'young_person', subject }).returning({ id: accounts.id })
  await q.update(youngPersons).set({ accountId: account!.id }).where(eq(youngPersons.id, youngPersonId))
  await q.update(linkCodes).set({ usedAt: new Date(), usedByAccountId: account!.id }).where(eq(linkCodes.id, codeId))
  return account!.id
}
