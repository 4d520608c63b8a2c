// Property: for generated consents, rows, principals and rules, the SQL of accessibleWhere selects exactly the rows ability.can allows.
import { subject } from '@casl/ability'
import { type SQL, sql } from 'drizzle-orm'
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import type { Principal } from '../../src/auth/principal.js'
import { type AppAbility, abilityFromRules, defineAbilityFor } from '../../src/authz/abilities.js'
import type { HeldConsent } from '../../src/authz/consent-condition.js'
import { caseload } from '../../src/authz/data/young-persons.queries.js'
import { accessibleWhere, allowingConsentsWhere, loadHeldConsents } from '../../src/authz/sql.js'
import type { PersonalSubject } from '../../src/authz/subjects.js'
import { queryRows, type Tx } from '../../src/db/client.js'
import { consents, goals, notes } from '../../src/db/schema/index.js'
import type { PageRequest } from '../../src/http/pagination.js'
import { createAdmin, createAgency, createProfessional, createYoungPerson, type ProfessionalActor } from '../factories.js'
import { build } from '../helper.js'

const CATEGORIES = ['identity', 'pathway', 'education', 'employment', 'health', 'psychological'] as const
const ROLES = ['social_worker', 'nurse'] as const
/** Moderate by default so the suite stays fast; raise with PROPERTY_RUNS to search harder. */
const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 40)

interface Base {
  agencies: string[]
  pros: { professionalId: string; agencyId: string; role: (typeof ROLES)[number]; accountId: string }[]
  youngPersons: string[]
  grantedBy: string
}

const consentArb = fc.record({
  yp: fc.nat(2),
  grantee: fc.oneof(
    fc.record({ pro: fc.nat(2) }),
    fc.record({ agency: fc.nat(1), role: fc.constantFrom(null, ...ROLES) }),
  ),
  categories: fc.subarray([...CATEGORIES], { minLength: 1 }),
  actions: fc.subarray(['read', 'write'], { minLength: 1 }),
  state: fc.constantFrom('active', 'active', 'expired', 'revoked', 'superseded', 'future'),
})
type GenConsent = typeof consentArb extends fc.Arbitrary<infer T> ? T : never

const principalArb = fc.oneof(
  fc.record({ kind: fc.constant('professional' as const), index: fc.nat(2) }),
  fc.record({ kind: fc.constant('partner' as const), agency: fc.nat(1), scopes: fc.subarray(['pathway:read', 'pathway:write', 'stats:read']) }),
  fc.record({ kind: fc.constantFrom('admin' as const, 'auditor' as const) }),
  fc.record({ kind: fc.constant('young_person' as const), yp: fc.nat(2) }),
)

const worldArb = fc.record({
  consents: fc.array(consentArb, { maxLength: 8 }),
  notes: fc.array(fc.record({ yp: fc.nat(2), category: fc.constantFrom(...CATEGORIES), author: fc.nat(2) }), { maxLength: 10 }),
  goals: fc.array(fc.record({ yp: fc.nat(2), category: fc.constantFrom(null, ...CATEGORIES) }), { maxLength: 8 }),
  principal: principalArb,
})
type GenWorld = typeof worldArb extends fc.Arbitrary<infer T> ? T : never

function principalOf(base: Base, p: GenWorld['principal']): Principal {
  switch (p.kind) {
    case 'professional': {
      const pro = base.pros[p.index]!
      return { kind: 'professional', ...pro, displayName: 'Generated' }
    }
    case 'partner':
      return { kind: 'partner', partnerClientId: base.grantedBy, clientId: 'pc_generated', agencyId: base.agencies[p.agency]!, scopes: p.scopes as never }
    case 'young_person':
      return { kind: 'young_person', accountId: base.grantedBy, youngPersonId: base.youngPersons[p.yp]! }
    default:
      return { kind: p.kind, accountId: base.grantedBy }
  }
}

/** Independent of the SQL: which generated consents are active and name this caller as grantee. */
function heldInJs(base: Base, principal: Principal, c: GenConsent): boolean {
  if (c.state !== 'active') return false
  const agencyId = 'agency' in c.grantee ? base.agencies[c.grantee.agency] : undefined
  const role = 'agency' in c.grantee ? c.grantee.role : null
  if (principal.kind === 'professional') {
    if ('pro' in c.grantee) return base.pros[c.grantee.pro]!.professionalId === principal.professionalId
    return agencyId === principal.agencyId && (role === null || role === principal.role)
  }
  if (principal.kind === 'partner') return agencyId === principal.agencyId && role === null
  return false
}

const WINDOWS: Record<GenConsent['state'], SQL> = {
  active: sql`now() - interval '1 hour', now() + interval '30 days', null::timestamptz, null::timestamptz`,
  expired: sql`now() - interval '2 days', now() - interval '1 day', null, null`,
  future: sql`now() + interval '1 day', now() + interval '2 days', null, null`,
  revoked: sql`now() - interval '1 hour', now() + interval '30 days', now(), null`,
  superseded: sql`now() - interval '1 hour', now() + interval '30 days', null, now()`,
}

async function insertWorld(tx: Tx, base: Base, world: GenWorld): Promise<string[]> {
  const ids: string[] = []
  for (const c of world.consents) {
    const pro = 'pro' in c.grantee ? base.pros[c.grantee.pro]!.professionalId : null
    const agency = 'agency' in c.grantee ? base.agencies[c.grantee.agency]! : null
    const role = 'agency' in c.grantee ? c.grantee.role : null
    const [row] = await queryRows<{ id: string }>(
      tx,
      sql`insert into consents (young_person_id, grantee_professional_id, grantee_agency_id, grantee_role, categories, actions, purpose, method, granted_by_account_id, valid_from, valid_until, revoked_at, superseded_at)
          values (${base.youngPersons[c.yp]}, ${pro}, ${agency}, ${role}, ${`{${c.categories.join(',')}}`}::text[], ${`{${c.actions.join(',')}}`}::text[], 'generated', 'digital', ${base.grantedBy}, ${WINDOWS[c.state]}) returning id`,
    )
    ids.push(row!.id)
  }
  if (world.notes.length > 0) {
    await tx.insert(notes).values(
      world.notes.map((n) => ({ youngPersonId: base.youngPersons[n.yp]!, category: n.category, body: 'generated', authorProfessionalId: base.pros[n.author]!.professionalId })),
    )
  }
  if (world.goals.length > 0) {
    await tx.insert(goals).values(world.goals.map((g) => ({ youngPersonId: base.youngPersons[g.yp]!, title: 'generated', category: g.category })))
  }
  return ids
}

async function heldConsents(tx: Tx, base: Base, principal: Principal): Promise<HeldConsent[]> {
  return (await Promise.all(base.youngPersons.map((id) => loadHeldConsents(tx, principal, id)))).flat()
}

const ROWS_OF: Record<'Note' | 'Goal' | 'Consent' | 'YoungPerson', (tx: Tx) => Promise<Record<string, unknown>[]>> = {
  Note: (tx) => tx.select({ id: notes.id, youngPersonId: notes.youngPersonId, category: notes.category, authorProfessionalId: notes.authorProfessionalId }).from(notes),
  Goal: (tx) => tx.select({ id: goals.id, youngPersonId: goals.youngPersonId, category: goals.category }).from(goals),
  Consent: (tx) =>
    tx
      .select({ id: consents.id, youngPersonId: consents.youngPersonId, granteeProfessionalId: consents.granteeProfessionalId, granteeAgencyId: consents.granteeAgencyId, granteeRole: consents.granteeRole })
      .from(consents),
  YoungPerson: (tx) => queryRows(tx, sql`select id from young_persons`),
}

const TABLES = { Note: sql`notes`, Goal: sql`goals`, Consent: sql`consents`, YoungPerson: sql`young_persons` }

/** The ids SQL selects and the ids ability.can allows, sorted, for one subject and action. */
async function bothWays(tx: Tx, ability: AppAbility, principal: Principal, action: 'read' | 'write', type: keyof typeof ROWS_OF) {
  const where = accessibleWhere(ability, principal, action, type as PersonalSubject)
  const bySql = (await queryRows<{ id: string }>(tx, sql`select id from ${TABLES[type]} where ${where}`)).map((r) => r.id).sort()
  const rows = await ROWS_OF[type](tx)
  const byCan = rows.filter((row) => ability.can(action, subject(type, { ...row }) as never)).map((r) => String(r.id)).sort()
  return { bySql, byCan, total: rows.length }
}

/**
 * The young persons `allowingConsentsWhere` selects under the caller's rules (consent terms in SQL), and a check that
 * every consent carries its young person's own creation time (the copy the caseload orders by).
 */
async function youngPersonsFromConsents(tx: Tx, principal: Principal): Promise<string[]> {
  const [copy] = await queryRows<{ wrong: number }>(tx, sql`select count(*)::int as wrong from consents c join young_persons yp on yp.id = c.young_person_id where c.young_person_created_at is distinct from yp.created_at`)
  if (copy!.wrong !== 0) throw new Error(`${copy!.wrong} consents carry another time than their young person's creation`)
  const ability = defineAbilityFor(principal)
  const where = allowingConsentsWhere(ability, principal, 'read')
  const found = (await queryRows<{ id: string }>(tx, sql`select distinct young_person_id as id from consents where ${where}`)).map((r) => r.id).sort()
  // The caseload statement itself, which reads them one way in at a time: its total, and its pages of one joined up.
  const whole = await caseload(tx, ability, principal, { limit: 100, after: undefined })
  const paged: string[] = []
  let after: PageRequest['after']
  for (;;) {
    const page = await caseload(tx, ability, principal, { limit: 1, after })
    if (page.total !== whole.total) throw new Error(`a later page counts ${page.total}, the first ${whole.total}`)
    if (page.rows.length === 0) break
    paged.push(page.rows[0]!.id)
    after = { at: page.rows[0]!.createdAt.toISOString(), id: page.rows[0]!.id }
  }
  const listed = whole.rows.map((r) => r.id)
  if (whole.total !== listed.length || JSON.stringify(paged) !== JSON.stringify(listed) || JSON.stringify([...listed].sort()) !== JSON.stringify(found)) {
    throw new Error(`the caseload differs: ${JSON.stringify({ total: whole.total, listed, paged, found })}`)
  }
  return found
}

class Rollback extends Error {}

/** Runs `check` on the generated world inside a transaction that is always rolled back. */
async function inWorld(app: FastifyInstance, base: Base, world: GenWorld, check: (tx: Tx, principal: Principal, held: HeldConsent[], ids: string[]) => Promise<void>) {
  try {
    await app.database.transaction(async (tx) => {
      const ids = await insertWorld(tx, base, world)
      const principal = principalOf(base, world.principal)
      await check(tx, principal, await heldConsents(tx, base, principal), ids)
      throw new Rollback()
    })
  } catch (error) {
    if (!(error instanceof Rollback)) throw error
  }
}

/** Hand-written rule conditions over allow-listed columns, including the shapes that trip mappers (empty and null-bearing lists). */
function conditionArb(base: Base, type: 'Note' | 'Goal'): fc.Arbitrary<Record<string, unknown>> {
  // A goal's category may be null, so its lists and comparisons may name null too.
  const values: (string | null)[] = type === 'Goal' ? [null, ...CATEGORIES] : [...CATEGORIES]
  const category = fc.constantFrom(...values)
  const leaf = fc.oneof(
    category.map((c) => ({ category: c })),
    fc.subarray(values).map((list) => ({ category: { $in: list } })),
    fc.subarray(values).map((list) => ({ category: { $nin: list } })),
    category.map((c) => ({ category: { $ne: c } })),
    fc.subarray(base.youngPersons).map((ids) => ({ youngPersonId: { $in: ids } })),
    fc.constantFrom('read', 'write').map((action) => ({ $consent: { action } })),
    fc.constantFrom('read', 'write').map((action) => ({ $consent: { action, categoryField: 'category' } })),
    fc.tuple(fc.constantFrom('read', 'write'), fc.constantFrom(...CATEGORIES)).map(([action, c]) => ({ $consent: { action, category: c } })),
    ...(type === 'Note' ? [fc.constantFrom(...base.pros.map((p) => p.professionalId)).map((id) => ({ authorProfessionalId: id }))] : []),
  )
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 1, arbitrary: fc.tuple(leaf, leaf).map(([a, b]) => ({ $or: [a, b] })) },
    { weight: 1, arbitrary: fc.tuple(leaf, leaf).map(([a, b]) => ({ $and: [a, b] })) },
  )
}

const rulesArb = (base: Base) =>
  fc.constantFrom('Note' as const, 'Goal' as const).chain((type) =>
    fc.record({
      type: fc.constant(type),
      rules: fc.array(fc.record({ inverted: fc.boolean(), conditions: fc.option(conditionArb(base, type), { nil: undefined, freq: 4 }) }), { maxLength: 4 }),
    }),
  )

t.test('accessibleWhere, the caseload\'s consents side and ability.can agree', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agencies = [await createAgency(app, admin, { name: 'Agency one' }), await createAgency(app, admin, { name: 'Agency two' })]
  const made: ProfessionalActor[] = [
    await createProfessional(app, admin, { agencyId: agencies[0]!.id, role: 'social_worker' }),
    await createProfessional(app, admin, { agencyId: agencies[0]!.id, role: 'nurse' }),
    await createProfessional(app, admin, { agencyId: agencies[1]!.id, role: 'social_worker' }),
  ]
  const accounts = await queryRows<{ id: string; account_id: string }>(app.database.db, sql`select id, account_id from professionals`)
  const accountOf = (id: string) => accounts.find((a) => a.id === id)!.account_id
  const base: Base = {
    agencies: agencies.map((a) => a.id),
    pros: made.map((p) => ({ professionalId: p.id, agencyId: p.agencyId, role: p.role as (typeof ROLES)[number], accountId: accountOf(p.id) })),
    youngPersons: [],
    grantedBy: accountOf(made[0]!.id),
  }
  // Their intake consents are ended at once: every consent that counts in a run is a generated one.
  for (let i = 0; i < 3; i++) base.youngPersons.push((await createYoungPerson(app, made[0]!)).id)
  await app.database.db.execute(sql`update consents set revoked_at = now()`)

  await t.test("the caller's ability: SQL rows = rows ability.can allows, for notes, goals, consents and young persons (also found from the consents side)", async (t) => {
    let compared = 0
    let nonEmpty = 0
    await fc.assert(
      fc.asyncProperty(worldArb, async (world) => {
        await inWorld(app, base, world, async (tx, principal, held, ids) => {
          const expectedHeld = ids.filter((_, i) => heldInJs(base, principal, world.consents[i]!)).sort()
          if (JSON.stringify(held.map((c) => c.id).sort()) !== JSON.stringify(expectedHeld)) throw new Error(`held consents differ: ${JSON.stringify({ held, expectedHeld })}`)
          const ability = defineAbilityFor(principal, held)
          for (const [type, actions] of [['Note', ['read', 'write']], ['Goal', ['read', 'write']], ['Consent', ['read']], ['YoungPerson', ['read']]] as const) {
            for (const action of actions) {
              const { bySql, byCan } = await bothWays(tx, ability, principal, action, type)
              if (JSON.stringify(bySql) !== JSON.stringify(byCan)) throw new Error(`${type} ${action}: SQL ${JSON.stringify(bySql)} ≠ can ${JSON.stringify(byCan)}`)
              compared++
              if (bySql.length > 0) nonEmpty++
            }
          }
          // The caseload finds the same young persons from the consents side (a young person has no caseload).
          if (principal.kind !== 'young_person') {
            const bySql = await youngPersonsFromConsents(tx, principal)
            const { byCan } = await bothWays(tx, ability, principal, 'read', 'YoungPerson')
            if (JSON.stringify(bySql) !== JSON.stringify(byCan)) throw new Error(`caseload young persons: from consents ${JSON.stringify(bySql)} ≠ can ${JSON.stringify(byCan)}`)
            compared++
            if (bySql.length > 0) nonEmpty++
          }
          if (principal.kind === 'admin' || principal.kind === 'auditor') {
            const { bySql, total } = await bothWays(tx, ability, principal, 'read', 'Note')
            if (bySql.length !== 0) throw new Error(`${principal.kind} selected ${bySql.length} of ${total} notes`)
          }
        })
      }),
      { numRuns: NUM_RUNS },
    )
    t.ok(nonEmpty > 0 && nonEmpty < compared, `${nonEmpty} of ${compared} comparisons selected rows: the generator reaches both outcomes`)
  })

  await t.test('hand-built rules (can and cannot, empty and null-bearing $in, $or/$and, $consent): SQL = ability.can', async (t) => {
    const note = (yp: number, category: (typeof CATEGORIES)[number]) => ({ consents: [], notes: [{ yp, category, author: 0 }], goals: [], principal: { kind: 'professional' as const, index: 0 } })
    await fc.assert(
      fc.asyncProperty(worldArb, rulesArb(base), async (world, { type, rules }) => {
        await inWorld(app, base, world, async (tx, principal, held) => {
          const ability = abilityFromRules(({ can, cannot }) => {
            for (const rule of rules) {
              const write = rule.inverted ? cannot : can
              if (rule.conditions === undefined) write('read', type)
              else write('read', type, rule.conditions as never)
            }
          }, held)
          const { bySql, byCan } = await bothWays(tx, ability, principal, 'read', type)
          if (JSON.stringify(bySql) !== JSON.stringify(byCan)) throw new Error(`${type}: SQL ${JSON.stringify(bySql)} ≠ can ${JSON.stringify(byCan)}`)
          if (rules.every((r) => r.inverted) && bySql.length > 0) throw new Error('rules made only of cannot selected rows')
        })
      }),
      {
        numRuns: NUM_RUNS,
        examples: [
          [note(0, 'health'), { type: 'Note', rules: [] }],
          [note(0, 'health'), { type: 'Note', rules: [{ inverted: true, conditions: { category: 'pathway' } }, { inverted: true, conditions: undefined }] }],
          [note(1, 'pathway'), { type: 'Note', rules: [{ inverted: false, conditions: { category: { $in: [] } } }] }],
        ],
      },
    )
    t.pass(`${NUM_RUNS} generated rule sets agree`)
  })
})
