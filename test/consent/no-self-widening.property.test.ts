// Property: whatever grants, requests, decisions and withdrawals happen, no professional reads more after an action of their own alone.
import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import fc from 'fast-check'
import t from 'tap'
import { queryRows } from '../../src/db/client.js'
import { type Actor, createAdmin, createAgency, createProfessional, createYoungPerson, type ProfessionalActor } from '../factories.js'
import { build } from '../helper.js'

const CATEGORIES = ['identity', 'pathway', 'education', 'health'] as const
/** Moderate by default so the file stays quick on PGlite; raise with PROPERTY_RUNS to search harder. */
const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 8)

const granteeArb = fc.oneof(fc.record({ pro: fc.nat(3) }), fc.record({ agency: fc.nat(1), role: fc.constantFrom(null, 'nurse', 'social_worker') }))
const scopeArb = fc.record({
  yp: fc.nat(1),
  grantee: granteeArb,
  categories: fc.subarray([...CATEGORIES], { minLength: 1 }),
  actions: fc.subarray(['read', 'write'], { minLength: 1 }),
})
/** A caller: a professional by index, or the young person concerned. */
const callerArb = fc.oneof(fc.record({ pro: fc.nat(3) }), fc.constant({ youngPerson: true as const }))

const stepArb = fc.oneof(
  fc.record({ kind: fc.constant('grant' as const), scope: scopeArb }),
  fc.record({ kind: fc.constant('record' as const), by: fc.nat(3), scope: scopeArb, evidence: fc.constantFrom('verbal', 'paper') }),
  fc.record({ kind: fc.constant('request' as const), by: fc.nat(3), scope: scopeArb }),
  fc.record({ kind: fc.constantFrom('approve' as const, 'decline' as const), caller: callerArb, pick: fc.nat(20) }),
  fc.record({ kind: fc.constant('revoke' as const), caller: callerArb, pick: fc.nat(20) }),
)
type GranteeChoice = typeof granteeArb extends fc.Arbitrary<infer G> ? G : never
type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never

interface World {
  agencies: string[]
  pros: ProfessionalActor[]
  youngPersons: { id: string; actor: Actor }[]
}

/** The (young person, category) pairs a professional reads, as the API answers them. */
async function readable(app: FastifyInstance, world: World, pro: ProfessionalActor): Promise<Set<string>> {
  const pairs = new Set<string>()
  for (const yp of world.youngPersons) {
    const res = await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: pro.headers })
    if (res.statusCode === 404) continue
    if (res.statusCode !== 200) throw new Error(`read: ${res.statusCode} ${res.body}`)
    for (const category of res.json().categories as string[]) pairs.add(`${yp.id}/${category}`)
  }
  return pairs
}

function grantee(world: World, g: GranteeChoice) {
  if ('pro' in g) return { professionalId: world.pros[g.pro]!.id }
  return g.role === null ? { agencyId: world.agencies[g.agency]! } : { agencyId: world.agencies[g.agency]!, role: g.role }
}

/** Performs one step through the API; returns the professional who acted alone, if one did. */
async function perform(app: FastifyInstance, world: World, step: Step): Promise<ProfessionalActor | undefined> {
  const post = (url: string, headers: Record<string, string>, payload: object) => app.inject({ method: 'POST', url, headers, payload })
  if (step.kind === 'grant' || step.kind === 'record' || step.kind === 'request') {
    const yp = world.youngPersons[step.scope.yp]!
    const body = { grantee: grantee(world, step.scope.grantee), categories: step.scope.categories, actions: step.scope.actions, purpose: 'Planning together' }
    if (step.kind === 'grant') {
      await post(`/v1/young-persons/${yp.id}/consents`, yp.actor.headers, body)
      return undefined
    }
    const by = world.pros[step.by]!
    if (step.kind === 'record') await post(`/v1/young-persons/${yp.id}/consents`, by.headers, { ...body, evidence: step.evidence })
    else await post(`/v1/young-persons/${yp.id}/consent-requests`, by.headers, body)
    return by
  }
  const table = step.kind === 'revoke' ? sql`consents` : sql`consent_requests`
  const rows = await queryRows<{ id: string; young_person_id: string }>(app.database.db, sql`select id, young_person_id from ${table} order by created_at, id`)
  if (rows.length === 0) return undefined
  const row = rows[step.pick % rows.length]!
  const headers = 'pro' in step.caller ? world.pros[step.caller.pro]!.headers : world.youngPersons.find((y) => y.id === row.young_person_id)!.actor.headers
  const url = step.kind === 'revoke' ? `/v1/consents/${row.id}/revoke` : `/v1/consent-requests/${row.id}/${step.kind}`
  const res = await post(url, headers, {})
  if (res.statusCode >= 500) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
  return 'pro' in step.caller ? world.pros[step.caller.pro] : undefined
}

t.test('no professional widens their own readable pairs by acting alone', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const social = await createAgency(app, admin, { name: 'Social services', kind: 'social_services' })
  const pros = [
    await createProfessional(app, admin, { agencyId: health.id, role: 'nurse' }),
    await createProfessional(app, admin, { agencyId: health.id, role: 'social_worker' }),
    await createProfessional(app, admin, { agencyId: social.id, role: 'social_worker' }),
    await createProfessional(app, admin, { agencyId: social.id, role: 'nurse' }),
  ]
  const youngPersons = []
  for (const by of [pros[0]!, pros[2]!]) {
    const yp = await createYoungPerson(app, by, { withAccount: true, categories: ['pathway'] })
    youngPersons.push({ id: yp.id, actor: yp.actor! })
  }
  const world: World = { agencies: [health.id, social.id], pros, youngPersons }

  let acted = 0
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 6 }), async (steps) => {
      for (const step of steps) {
        const actor = 'by' in step ? world.pros[step.by] : 'caller' in step && 'pro' in step.caller ? world.pros[step.caller.pro] : undefined
        const before = actor ? await readable(app, world, actor) : undefined
        const acting = await perform(app, world, step)
        if (!acting || !before) continue
        acted++
        const gained = [...(await readable(app, world, acting))].filter((pair) => !before.has(pair))
        if (gained.length > 0) throw new Error(`${step.kind} by professional ${acting.id} widened their access to ${gained.join(', ')}`)
      }
    }),
    { numRuns: NUM_RUNS },
  )
  t.ok(acted > 0, `professionals acted alone ${acted} times, and none of them read more afterwards`)
})
