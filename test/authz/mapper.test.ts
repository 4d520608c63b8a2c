// The rules → SQL mapper on its own: nothing allowed is `false`, unknown operators and fields throw, `$consent` is EXISTS.
import type { SQL } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import t from 'tap'
import type { Principal } from '../../src/auth/principal.js'
import { abilityFromRules, defineAbilityFor } from '../../src/authz/abilities.js'
import { accessibleWhere } from '../../src/authz/sql.js'

const dialect = new PgDialect({ casing: 'snake_case' })
const render = (where: SQL) => dialect.sqlToQuery(where)

const pro: Principal = {
  kind: 'professional',
  accountId: '00000000-0000-4000-8000-000000000001',
  professionalId: '00000000-0000-4000-8000-000000000002',
  agencyId: '00000000-0000-4000-8000-000000000003',
  role: 'nurse',
  displayName: 'Nina Nurse',
}

t.test('no rule for the action means false, never "no filter"', async (t) => {
  const admin: Principal = { kind: 'admin', accountId: pro.accountId }
  const auditor: Principal = { kind: 'auditor', accountId: pro.accountId }
  for (const principal of [admin, auditor]) {
    for (const subject of ['Note', 'Goal', 'YoungPerson', 'Consent'] as const) {
      t.same(render(accessibleWhere(defineAbilityFor(principal), principal, 'read', subject)), { sql: 'false', params: [] }, `${principal.kind} ${subject}`)
    }
  }
  const empty = abilityFromRules(() => {})
  t.same(render(accessibleWhere(empty, pro, 'read', 'Note')).sql, 'false', 'an ability without rules')
  const onlyCannot = abilityFromRules(({ cannot }) => {
    cannot('read', 'Note', { category: 'health' })
    cannot('read', 'Note')
  })
  t.same(render(accessibleWhere(onlyCannot, pro, 'read', 'Note')).sql, 'false', 'rules built only from cannot')
  const otherAction = abilityFromRules(({ can }) => can('write', 'Note'))
  t.same(render(accessibleWhere(otherAction, pro, 'read', 'Note')).sql, 'false', 'a rule for another action')
})

t.test('an unconditional rule is true; an empty $in matches nothing and an empty $nin everything', async (t) => {
  t.same(render(accessibleWhere(abilityFromRules(({ can }) => can('read', 'Note')), pro, 'read', 'Note')).sql, 'true')
  const emptyIn = abilityFromRules(({ can }) => can('read', 'Note', { category: { $in: [] } }))
  t.same(render(accessibleWhere(emptyIn, pro, 'read', 'Note')).sql, 'false')
  const emptyNin = abilityFromRules(({ can }) => can('read', 'Note', { category: { $nin: [] } }))
  t.same(render(accessibleWhere(emptyNin, pro, 'read', 'Note')).sql, 'true')
  // SQL's IN never matches NULL; CASL's $in does.
  const nullIn = abilityFromRules(({ can }) => can('read', 'Goal', { category: { $in: [null, 'pathway'] } }))
  const rendered = render(accessibleWhere(nullIn, pro, 'read', 'Goal'))
  t.same([rendered.sql, rendered.params], ['("goals"."category" in ($1) or "goals"."category" is null)', ['pathway']])
  const nullNin = abilityFromRules(({ can }) => can('read', 'Goal', { category: { $nin: [null] } }))
  t.same(render(accessibleWhere(nullNin, pro, 'read', 'Goal')).sql, 'not (false or "goals"."category" is null)')
})

t.test('cannot on a NULL column: the negation is of a definite false, so the row stays allowed as in CASL', async (t) => {
  const ability = abilityFromRules(({ can, cannot }) => {
    can('read', 'Goal')
    cannot('read', 'Goal', { category: 'health' })
  })
  t.match(render(accessibleWhere(ability, pro, 'read', 'Goal')).sql, /^not coalesce\("goals"\."category" = \$1, false\)$/)
})

t.test('operators the mapper does not know throw instead of widening the query', async (t) => {
  const conditions: Record<string, unknown>[] = [
    { category: { $regex: '^h' } },
    { category: { $exists: true } },
    { categories: { $size: 2 } },
    { $nor: [{ category: 'health' }] },
  ]
  for (const condition of conditions) {
    const ability = abilityFromRules(({ can }) => can('read', 'Note', condition as never))
    t.throws(() => accessibleWhere(ability, pro, 'read', 'Note'), /not supported|may not be used/, JSON.stringify(condition))
  }
})

t.test('only allow-listed columns may appear in a condition', async (t) => {
  const body = abilityFromRules(({ can }) => can('read', 'Note', { body: 'secret' }))
  t.throws(() => accessibleWhere(body, pro, 'read', 'Note'), { message: 'field body of Note may not be used in a permission condition' })
  const identity = abilityFromRules(({ can }) => can('read', 'YoungPerson', { givenName: 'Aada' }))
  t.throws(() => accessibleWhere(identity, pro, 'read', 'YoungPerson'), /field givenName of YoungPerson may not be used/)
  const categoryField = abilityFromRules(({ can }) => can('read', 'Note', { $consent: { action: 'read', categoryField: 'body' } }))
  t.throws(() => accessibleWhere(categoryField, pro, 'read', 'Note'), /field body of Note may not be used/)
})

t.test('$consent renders as one EXISTS over the open consents, keyed by the outer row', async (t) => {
  const { sql, params } = render(accessibleWhere(defineAbilityFor(pro), pro, 'read', 'Note'))
  t.match(sql, /^exists \(select 1 from "consents" "held_consent" where "held_consent"\."young_person_id" = "notes"\."young_person_id"/)
  t.match(sql, /"notes"\."category" = any\("held_consent"\."categories"\)/)
  t.match(sql, /"held_consent"\."revoked_at" is null and "held_consent"\."superseded_at" is null/)
  t.same(params.slice(0, 3), [pro.professionalId, pro.agencyId, pro.role])
  // On consents themselves the sub-query must not bind to its own row (it would match any consent of any young person).
  const consents = render(accessibleWhere(defineAbilityFor(pro), pro, 'read', 'Consent')).sql
  t.match(consents, /"held_consent"\."young_person_id" = "consents"\."young_person_id"/)
})

t.test('a narrower $consent beside a wider one in an OR is dropped: one EXISTS the planner can semi-join', async (t) => {
  // read YoungPerson: base fields under any read consent, identity fields under an identity one.
  const { sql, params } = render(accessibleWhere(defineAbilityFor(pro), pro, 'read', 'YoungPerson'))
  t.equal(sql.match(/exists \(/g)?.length, 1)
  t.notOk(params.includes('identity'), 'the identity-only term is gone')
  const kept = abilityFromRules(({ can }) => {
    can('read', 'Note', { $consent: { action: 'write' } })
    can('read', 'Note', { $consent: { action: 'read', category: 'health' } })
  })
  t.equal(render(accessibleWhere(kept, pro, 'read', 'Note')).sql.match(/exists \(/g)?.length, 2, 'a term for another action is kept')
})
