// SQL of young persons. The caseload's consent filter is rendered by src/authz in the same statement.
import { and, count, desc, eq, lt, max, or, type Placeholder, type SQL, sql } from 'drizzle-orm'
import type { Principal } from '../../auth/principal.js'
import type { AppAbility } from '../abilities.js'
import { readableIdentityColumn } from '../fields.js'
import { activeConsent, allowingConsentsWhere, heldBy, heldCategories } from '../sql.js'
import type { Queryable } from '../../db/client.js'
import { accounts } from '../../db/schema/registry.js'
import { consents, youngPersons } from '../../db/schema/young-persons.js'
import type { PageRequest } from '../../http/pagination.js'

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

/** Which caseload page, as SQL: a request's own values, or placeholders of a statement rendered once for many pages. */
export interface CaseloadPage {
  /** The page's size plus one, for the next cursor. */
  limitPlusOne: number | Placeholder
  /** The last row of the previous page (`timestamptz`, `uuid`). */
  after?: { at: SQL; id: SQL }
}

/** Where a later page starts, as the statement's parameters take it; undefined for a first page. */
export function cursorValues(page: PageRequest): { afterAt: string; afterId: string } | undefined {
  return page.after && { afterAt: new Date(page.after.at).toISOString(), afterId: page.after.id }
}

/** The cursor's time and id in SQL, from parameters or placeholders. */
export const cursorSql = (at: unknown, id: unknown): NonNullable<CaseloadPage['after']> => ({ at: sql`${at}::timestamptz`, id: sql`${id}::uuid` })

export function caseloadPage(page: PageRequest): CaseloadPage {
  const after = cursorValues(page)
  return { limitPlusOne: page.limit + 1, ...(after ? { after: cursorSql(after.afterAt, after.afterId) } : {}) }
}

/**
 * A caseload page and the caseload's size in one statement: the young persons the caller may read are
 * found once from the caller's consents (`allowingConsentsWhere`, each with its young person's creation
 * time), then counted, and only the page's rows are sorted out, joined and given their fields (each
 * identity field where the ability lets the caller read it, as in the single read).
 */
export function caseloadQuery(q: Queryable, ability: AppAbility, principal: Principal, page: CaseloadPage) {
  const held = q
    .$with('held')
    .as(q.selectDistinct({ id: consents.youngPersonId, createdAt: sql<Date>`${consents.youngPersonCreatedAt}`.as('created_at') }).from(consents).where(allowingConsentsWhere(ability, principal, 'read')))
  const total = q.select({ n: count().as('n') }).from(held).as('total')
  const shown = q
    .select({ id: held.id })
    .from(held)
    .where(page.after && or(lt(held.createdAt, page.after.at), and(eq(held.createdAt, page.after.at), lt(held.id, page.after.id))))
    .orderBy(desc(held.createdAt), desc(held.id))
    .limit(page.limitPlusOne)
    .as('shown')
  const rows = q
    .select({
      id: youngPersons.id,
      createdAt: youngPersons.createdAt,
      givenName: readableIdentityColumn(ability, principal, 'givenName').as('given_name'),
      familyName: readableIdentityColumn(ability, principal, 'familyName').as('family_name'),
      categories: heldCategories(principal, youngPersons.id, 'read').as('categories'),
      consentValidUntil: sql<Date | null>`(${q
        .select({ until: max(consents.validUntil) })
        .from(consents)
        .where(and(eq(consents.youngPersonId, youngPersons.id), heldBy(principal), activeConsent))})`
        .mapWith((value: string | Date | null) => (value === null ? null : new Date(value)))
        .as('consent_valid_until'),
    })
    .from(shown)
    .innerJoin(youngPersons, eq(youngPersons.id, shown.id))
    .as('page')
  // The total comes with every row of the page, and alone (an empty page) when there is none.
  return q
    .with(held)
    .select({ total: total.n, id: rows.id, createdAt: rows.createdAt, givenName: rows.givenName, familyName: rows.familyName, categories: rows.categories, consentValidUntil: rows.consentValidUntil })
    .from(total)
    .leftJoin(rows, sql`true`)
    .orderBy(desc(rows.createdAt), desc(rows.id))
}

/** `caseloadQuery` run: the page's rows (limit + 1) and the total. */
export async function caseload(q: Queryable, ability: AppAbility, principal: Principal, page: PageRequest) {
  const found = await caseloadQuery(q, ability, principal, caseloadPage(page))
  return { total: found[0]?.total ?? 0, rows: found.flatMap(({ total: _, id, createdAt, ...row }) => (id === null || createdAt === null ? [] : [{ id, createdAt, ...row }])) }
}

/** Locks the young person's row: erasure, the retention job and a new legal hold for them take turns. */
export async function lockYoungPerson(q: Queryable, youngPersonId: string): Promise<{ id: string; erasedAt: Date | null } | undefined> {
  const [row] = await q.select({ id: youngPersons.id, erasedAt: youngPersons.erasedAt }).from(youngPersons).where(eq(youngPersons.id, youngPersonId)).for('update')
  return row
}
