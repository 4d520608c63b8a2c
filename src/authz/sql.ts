// CASL rules → drizzle WHERE conditions, and the consent queries the rules rely on.
import { rulesToAST, rulesToCondition } from '@casl/ability/extra'
import { buildAnd, buildOr, CompoundCondition, type Condition, DocumentCondition, type FieldCondition } from '@ucast/mongo2js'
import { type AnyColumn, aliasedTable, and, eq, getTableName, gt, gte, inArray, is, isNull, lt, lte, ne, not, or, SQL, sql } from 'drizzle-orm'
import type { Principal } from '../auth/principal.js'
import type { Queryable } from '../db/client.js'
import { consents } from '../db/schema/young-persons.js'
import type { Action, AppAbility } from './abilities.js'
import type { ConsentTerm, HeldConsent } from './consent-condition.js'
import { PERSONAL_SUBJECTS, type PersonalSubject } from './subjects.js'

type ConsentsTable = typeof consents

/**
 * The consents table under its own name inside `$consent` sub-queries: unaliased, "consents"."young_person_id"
 * would bind to the sub-query's row when the outer rows are consents themselves.
 */
const HELD = 'held_consent'
const held = aliasedTable(consents, HELD)
const heldFrom = sql`${consents} ${sql.identifier(HELD)}`

const activeOn = (c: ConsentsTable): SQL =>
  sql`${c.revokedAt} is null and ${c.supersededAt} is null and ${c.validFrom} <= now() and ${c.validUntil} > now()`

/** Active now: not revoked, not superseded, inside its validity window (the database's clock). */
export const activeConsent: SQL = activeOn(consents)

/** Who a consent can be held by, as values or as columns of an outer query (the receiving side of a referral). */
export type HolderTerms = { kind: 'professional'; professionalId: SQL | string; agencyId: SQL | string; role: SQL | string } | { kind: 'partner'; agencyId: SQL | string }

/** The one grantee rule: a professional holds consents given to them, or to their agency for any role or for theirs; a partner system its agency's for any role. */
export function heldByHolder(c: ConsentsTable, holder: HolderTerms): SQL {
  return sql`(${sql.join(holderArms(c, holder), sql` or `)})`
}

/**
 * The grantee rule's ways in, one condition each, whose OR is `heldByHolder`: a professional's own
 * consents and their agency's; a partner system's agency's. Each is served by its own index
 * (`consents_*_held_idx`), so a caller's consents can be read in order one way in at a time.
 */
function holderArms(c: ConsentsTable, holder: HolderTerms): SQL[] {
  if (holder.kind === 'partner') return [sql`(${c.granteeAgencyId} = ${holder.agencyId} and ${c.granteeRole} is null)`]
  return [sql`${c.granteeProfessionalId} = ${holder.professionalId}`, sql`(${c.granteeAgencyId} = ${holder.agencyId} and (${c.granteeRole} is null or ${c.granteeRole} = ${holder.role}))`]
}

/** `holderArms` for a caller: none for anyone who holds no consents. */
function heldArms(c: ConsentsTable, principal: Principal): SQL[] {
  return principal.kind === 'professional' || principal.kind === 'partner' ? holderArms(c, principal) : []
}

function heldByOn(c: ConsentsTable, principal: Principal): SQL {
  const arms = heldArms(c, principal)
  return arms.length === 0 ? sql`false` : sql`(${sql.join(arms, sql` or `)})`
}

/** The consents whose grantee is this caller: the professional, or their agency (optionally one role). */
export function heldBy(principal: Principal): SQL {
  return heldByOn(consents, principal)
}

/**
 * The caller's active consents for one young person. No row lock: a revocation never waits for
 * readers, and a statement that starts after a revocation committed never sees the consent.
 */
export async function loadHeldConsents(q: Queryable, principal: Principal, youngPersonId: string | SQL): Promise<HeldConsent[]> {
  if (principal.kind !== 'professional' && principal.kind !== 'partner') return []
  return q
    .select({ id: consents.id, youngPersonId: consents.youngPersonId, categories: consents.categories, actions: consents.actions })
    .from(consents)
    .where(and(eq(consents.youngPersonId, youngPersonId), heldBy(principal), activeConsent))
}

/** SQL: the young person of the `subject` row with this id (none when there is no such row). */
export function youngPersonOfRecord(subject: PersonalSubject, id: string): SQL {
  const { table, columns, youngPersonField } = PERSONAL_SUBJECTS[subject]
  return sql`(select ${column(subject, youngPersonField)} from ${table} where ${columns.id} = ${id})`
}

/**
 * A column qualified with its table. drizzle leaves columns unqualified in a single-table select
 * list, where "id" inside the sub-query would bind to consents.id instead of the outer row.
 */
function qualified(column: AnyColumn | SQL): SQL {
  if (is(column, SQL)) return column
  const name = column.name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
  return sql`${sql.identifier(getTableName(column.table))}.${sql.identifier(name)}`
}

/** A consent row of `c` that meets a `$consent` term for this caller: theirs, active, giving the action (and the category). */
function meetsTerm(c: ConsentsTable, principal: Principal, term: ConsentTerm, categoryColumn: AnyColumn | SQL | undefined, holder: SQL = heldByOn(c, principal)): SQL {
  const category =
    term.categoryField !== undefined && categoryColumn !== undefined
      ? sql`${qualified(categoryColumn)} = any(${c.categories})`
      : term.category !== undefined
        ? sql`${term.category} = any(${c.categories})`
        : sql`true`
  return sql`${holder} and ${activeOn(c)} and ${term.action} = any(${c.actions}) and ${category}`
}

function consentExists(principal: Principal, term: ConsentTerm, youngPersonColumn: AnyColumn | SQL, categoryColumn: AnyColumn | SQL | undefined): SQL {
  return sql`exists (select 1 from ${heldFrom} where ${held.youngPersonId} = ${qualified(youngPersonColumn)} and ${meetsTerm(held, principal, term, categoryColumn)})`
}

function column(subject: PersonalSubject, field: string): AnyColumn {
  const columns = PERSONAL_SUBJECTS[subject].columns as Record<string, AnyColumn>
  const col = Object.hasOwn(columns, field) ? columns[field] : undefined
  if (!col) throw new Error(`field ${field} of ${subject} may not be used in a permission condition`)
  return col
}

const consentTerm = (c: Condition): ConsentTerm | undefined =>
  c instanceof DocumentCondition && c.operator === 'consent' ? (c.value as ConsentTerm) : undefined

/**
 * `$consent {action, category}` implies `$consent {action}`: in an OR only the wider term is kept, so the
 * planner gets one EXISTS it can turn into a semi-join (an OR of two EXISTS scans every row).
 */
function withoutNarrowerConsents(conditions: Condition[]): Condition[] {
  const wide = new Set(conditions.map(consentTerm).filter((t) => t && t.category === undefined && t.categoryField === undefined).map((t) => t!.action))
  return conditions.filter((c) => {
    const term = consentTerm(c)
    return !term || !wide.has(term.action) || (term.category === undefined && term.categoryField === undefined)
  })
}

/** A comparison with a NULL column is NULL in SQL but false in CASL; under NOT, NULL would stay NULL instead of turning true. */
const definite = (condition: SQL): SQL => sql`coalesce(${condition}, false)`

/** Where a condition finds a field's value: the subject's column, or a value already known (`allowedFor`). */
type FieldSql = (field: string) => AnyColumn | SQL

function toSql(condition: Condition, subject: PersonalSubject, principal: Principal, columnOf: FieldSql): SQL {
  if (condition instanceof DocumentCondition && condition.operator === 'consent') {
    const term = condition.value as ConsentTerm
    const table = PERSONAL_SUBJECTS[subject]
    const categoryColumn = term.categoryField !== undefined ? columnOf(term.categoryField) : undefined
    return consentExists(principal, term, columnOf(table.youngPersonField), categoryColumn)
  }
  switch (condition.operator) {
    case 'and':
    case 'or':
    case 'nor': {
      const children = (condition as CompoundCondition).value
      const parts = (condition.operator === 'and' ? children : withoutNarrowerConsents(children)).map((c) => toSql(c, subject, principal, columnOf))
      if (condition.operator === 'and') return parts.length === 0 ? sql`true` : (and(...parts) as SQL)
      const any = parts.length === 0 ? sql`false` : (or(...parts) as SQL)
      return condition.operator === 'or' ? any : not(definite(any))
    }
    case 'not':
      return not(definite(toSql((condition as CompoundCondition).value[0] as Condition, subject, principal, columnOf)))
  }
  const { field, value, operator } = condition as FieldCondition
  // drizzle's operators take a column or SQL alike, but their overloads do not take the union.
  const col = columnOf(String(field)) as AnyColumn
  switch (operator) {
    case 'eq':
      return value === null ? isNull(col) : eq(col, value)
    case 'ne':
      return value === null ? sql`${col} is not null` : (or(ne(col, value), isNull(col)) as SQL)
    case 'in':
    case 'nin': {
      // SQL's IN never matches NULL, CASL's $in does: null in the list becomes an IS NULL test.
      const list = value as unknown[]
      const values = list.filter((v) => v !== null)
      const hasNull = values.length !== list.length
      const listed = values.length === 0 ? sql`false` : inArray(col, values)
      const within = hasNull ? (or(listed, isNull(col)) as SQL) : listed
      if (operator === 'in') return within
      if (list.length === 0) return sql`true`
      return hasNull ? not(within) : (or(not(listed), isNull(col)) as SQL)
    }
    case 'lt':
      return lt(col, value)
    case 'lte':
      return lte(col, value)
    case 'gt':
      return gt(col, value)
    case 'gte':
      return gte(col, value)
    default:
      throw new Error(`operator ${operator} is not supported in permission conditions`)
  }
}

/**
 * The WHERE condition selecting exactly the rows of `subject` the ability allows for `action`.
 * No rule at all means `false`: nothing, never "no filter".
 */
export function accessibleWhere(ability: AppAbility, principal: Principal, action: Action, subject: PersonalSubject): SQL {
  const ast = rulesToAST(ability, action, subject)
  if (ast === null) return sql`false`
  return toSql(ast, subject, principal, (field) => column(subject, field))
}

/**
 * The condition under which the ability allows `action` on one row of `subject` whose values are
 * already known (the door's `{ youngPersonId }`): a boolean that needs no table. Consent terms stay
 * EXISTS sub-queries, so the consents are checked in the snapshot of the statement that carries it.
 * No rule means `false`; a rule naming a field the row lacks is a programming error.
 */
export function allowedFor(ability: AppAbility, principal: Principal, action: Action, subject: PersonalSubject, row: Record<string, string | null>): SQL {
  const ast = rulesToAST(ability, action, subject)
  if (ast === null) return sql`false`
  return toSql(ast, subject, principal, (field) => {
    const value = Object.hasOwn(row, field) ? row[field] : undefined
    if (value === undefined) throw new Error(`a ${subject} rule names ${field}, which the door's row does not give`)
    return value === null ? sql`null` : sql`${value}::${sql.raw(column(subject, field).getSQLType())}`
  })
}

/**
 * The WHERE condition under which the ability allows `action` on `field` of `subject`: field rules are
 * not in `rulesToAST`, so the field's own rules are flattened the same way. No rule means `false`.
 */
export function fieldWhere(ability: AppAbility, principal: Principal, action: Action, subject: PersonalSubject, field: string): SQL {
  const ast = rulesToCondition(
    ability.rulesFor(action, subject, field),
    (rule) => {
      if (!rule.ast) throw new Error(`a ${subject} rule has no conditions AST`)
      return rule.inverted ? new CompoundCondition('not', [rule.ast as Condition]) : (rule.ast as Condition)
    },
    { and: buildAnd, or: buildOr, empty: () => buildAnd([]) },
  )
  if (ast === null) return sql`false`
  return toSql(ast, subject, principal, (field) => column(subject, field))
}

/**
 * The young persons the ability lets the caller `action`, found from the consents side: a condition on
 * rows of `consents` whose `young_person_id`s are exactly those young persons. Each `$consent` term is
 * `accessibleWhere`'s EXISTS unrolled onto the consents row itself, so the caseload finds, counts and
 * orders its young persons from the caller's consents (with their young person's creation time) without
 * visiting every young person. Only rules made of consent terms have this form; no rule means `false`.
 * The caseload reads it split by way (`allowingConsentsByWay`); this one condition is what the property
 * tests hold both against.
 */
export function allowingConsentsWhere(ability: AppAbility, principal: Principal, action: Action): SQL {
  return consentRuleOn(ability, principal, action, consents, heldByOn(consents, principal))
}

/**
 * `allowingConsentsWhere` split by the way a consent reaches the caller (`heldArms`): one condition per
 * way, each naming only its own grantee columns, so each can be read along its own index (and the
 * planner does not count the grantee test twice). Their OR is `allowingConsentsWhere`, on the table `c`.
 */
export function allowingConsentsByWay(ability: AppAbility, principal: Principal, action: Action, c: ConsentsTable): SQL[] {
  return heldArms(c, principal).map((way) => consentRuleOn(ability, principal, action, c, way))
}

function consentRuleOn(ability: AppAbility, principal: Principal, action: Action, c: ConsentsTable, holder: SQL): SQL {
  const ast = rulesToAST(ability, action, 'YoungPerson')
  if (ast === null) return sql`false`
  const unrolled = (condition: Condition): SQL => {
    const term = consentTerm(condition)
    if (term !== undefined && term.categoryField === undefined) return sql`(${meetsTerm(c, principal, term, undefined, holder)})`
    // An OR of terms: some consent row meets one of them. (An AND of EXISTS is not one row meeting both.)
    if (condition.operator === 'or') {
      const parts = withoutNarrowerConsents((condition as CompoundCondition).value).map(unrolled)
      return parts.length === 0 ? sql`false` : (or(...parts) as SQL)
    }
    if (condition.operator === 'and' && (condition as CompoundCondition).value.length === 1) return unrolled((condition as CompoundCondition).value[0] as Condition)
    throw new Error(`a YoungPerson ${action} rule that is not consent terms cannot be read from the consents side`)
  }
  return unrolled(ast)
}

/** SQL: does the caller hold an active consent for the young person in `youngPerson` covering `category`? */
export function holdsConsentFor(principal: Principal, youngPerson: AnyColumn | SQL, action: 'read' | 'write', category?: string): SQL {
  return consentExists(principal, category === undefined ? { action } : { action, category }, youngPerson, undefined)
}

/** SQL: the categories the caller may currently `action` for the young person in `youngPerson`, as text[]. */
export function heldCategories(principal: Principal, youngPerson: AnyColumn | SQL, action: 'read' | 'write'): SQL<string[]> {
  return sql<string[]>`coalesce((select array_agg(distinct cat order by cat) from ${heldFrom}, unnest(${held.categories}) as cat where ${held.youngPersonId} = ${qualified(youngPerson)} and ${heldByOn(held, principal)} and ${activeOn(held)} and ${action} = any(${held.actions})), '{}')`
}
