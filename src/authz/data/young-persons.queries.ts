// SQL of young persons. The caseload's consent filter is rendered by src/authz in the same statement.
import { aliasedTable, eq, type Placeholder, type SQL, sql } from 'drizzle-orm'
import type { Principal } from '../../auth/principal.js'
import type { AppAbility } from '../abilities.js'
import { readableIdentityColumn } from '../fields.js'
import { activeConsent, allowingConsentsByWay, heldBy, heldCategories } from '../sql.js'
import { type Queryable, queryRows } from '../../db/client.js'
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

/** The consents table again, for "did an earlier way in already reach this young person?". */
const EARLIER = 'earlier_held'
const earlierHeld = aliasedTable(consents, EARLIER)

/**
 * A caseload page and the caseload's size in one statement. The young persons the caller may read are
 * found from the caller's consents alone (each with its young person's creation time), one way in at a
 * time (`allowingConsentsByWay`: the professional's own consents, their agency's), each way along its
 * own index in the page's order:
 * - the page reads each way backwards only as far as the page's size and merges them;
 * - the total counts each young person once, on the first way in that reaches them.
 * Only the page's rows are joined and given their fields (each identity field where the ability lets
 * the caller read it, as in the single read). Columns: n (the total), then the page's rows, or one row
 * with only n when the page is empty.
 */
export function caseloadQuery(ability: AppAbility, principal: Principal, page: CaseloadPage): SQL {
  const byWay = allowingConsentsByWay(ability, principal, 'read', consents)
  const ways = byWay.length === 0 ? [sql`false`] : byWay
  const earlierWays = allowingConsentsByWay(ability, principal, 'read', earlierHeld)
  const heldKey = sql`${consents.youngPersonCreatedAt}, ${consents.youngPersonId}`
  const after = page.after ? sql` and (${heldKey}) < (${page.after.at}, ${page.after.id})` : sql``
  const pageWays = ways.map(
    (way) => sql`(select distinct ${consents.youngPersonCreatedAt} as created_at, ${consents.youngPersonId} as id from ${consents}
      where ${way}${after} order by 1 desc, 2 desc limit ${page.limitPlusOne})`,
  )
  const counted = ways.map((way, i) => {
    const reachedBefore =
      i === 0
        ? sql``
        : sql` and not exists (select 1 from ${consents} ${sql.identifier(EARLIER)} where ${earlierHeld.youngPersonId} = ${consents.youngPersonId} and (${sql.join(earlierWays.slice(0, i), sql` or `)}))`
    return sql`(select count(*) from (select distinct ${heldKey} from ${consents} where ${way}${reachedBefore}) as way)`
  })
  const consentValidUntil = sql`(select max(${consents.validUntil}) from ${consents} where ${consents.youngPersonId} = ${youngPersons.id} and ${heldBy(principal)} and ${activeConsent})`
  return sql`with held_page as (
  select distinct created_at, id from (${sql.join(pageWays, sql` union all `)}) as ways order by created_at desc, id desc limit ${page.limitPlusOne}
),
held_total as (select ${sql.join(counted, sql` + `)} as n)
select held_total.n, ${youngPersons.id} as id, ${youngPersons.createdAt} as created_at,
  ${readableIdentityColumn(ability, principal, 'givenName')} as given_name, ${readableIdentityColumn(ability, principal, 'familyName')} as family_name,
  ${heldCategories(principal, youngPersons.id, 'read')} as categories, ${consentValidUntil} as consent_valid_until
from held_total left join (held_page join ${youngPersons} on ${youngPersons.id} = held_page.id) on true
order by ${youngPersons.createdAt} desc, ${youngPersons.id} desc`
}

/** `caseloadQuery` run: the page's rows (limit + 1) and the total. */
export async function caseload(q: Queryable, ability: AppAbility, principal: Principal, page: PageRequest) {
  const found = await queryRows<{ n: number | string; id: string | null; created_at: string | Date | null }>(q, caseloadQuery(ability, principal, caseloadPage(page)))
  return { total: Number(found[0]?.n ?? 0), rows: found.flatMap(({ id, created_at }) => (id === null || created_at === null ? [] : [{ id, createdAt: new Date(created_at) }])) }
}

/** Locks the young person's row: erasure, the retention job and a new legal hold for them take turns. */
export async function lockYoungPerson(q: Queryable, youngPersonId: string): Promise<{ id: string; erasedAt: Date | null } | undefined> {
  const [row] = await q.select({ id: youngPersons.id, erasedAt: youngPersons.erasedAt }).from(youngPersons).where(eq(youngPersons.id, youngPersonId)).for('update')
  return row
}
