// Walks the authorization matrix of matrix.data.ts: every caller row × consent state × operation, on one app.
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { grantConsent } from '../factories.js'
import { build } from '../helper.js'
import { CONSENT_STATES, type CallerRow, type ConsentState, type Ctx, OPERATIONS, type Outcome, PROFILES, ROWS, STATE_TERMS } from './matrix.data.js'
import { buildWorld, type Caller, expireConsent, intake, type World } from './world.js'

const problemShape = (body: Record<string, unknown>) => ({ ...body, requestId: undefined, instance: undefined })

/** Operations that leave access as it was come first; those that change it run last. */
const ordered = Object.entries(OPERATIONS).sort(([, a], [, b]) => Number(a.changesAccess ?? false) - Number(b.changesAccess ?? false))

interface Cell {
  ctx: Ctx
  self: Caller
}

async function buildCell(app: FastifyInstance, world: World, row: CallerRow, state: ConsentState): Promise<Cell> {
  const yp = await intake(app, world)
  let consentId = yp.consentId
  if (state === 'otherYoungPerson') {
    const elsewhere = await intake(app, world)
    await grantConsent(app, elsewhere, { grantee: row.grantee(world), ...STATE_TERMS.active })
  } else if (state !== 'none') {
    consentId = (await grantConsent(app, yp, { grantee: row.grantee(world), ...STATE_TERMS[state] })).id
    if (state === 'expired') {
      await expireConsent(app, consentId)
    } else if (state === 'revoked') {
      const res = await app.inject({ method: 'POST', url: `/v1/consents/${consentId}/revoke`, headers: yp.actor.headers, payload: {} })
      if (res.statusCode !== 200) throw new Error(`revoke: ${res.statusCode} ${res.body}`)
    } else if (state === 'superseded') {
      // The young person moves the consent to someone else: the row's grantee is left with none.
      const res = await app.inject({
        method: 'POST',
        url: `/v1/young-persons/${yp.id}/consents`,
        headers: yp.actor.headers,
        payload: { grantee: { professionalId: world.intaker.id }, ...STATE_TERMS.active, purpose: 'Moved to the intake worker', supersedes: consentId },
      })
      if (res.statusCode !== 201) throw new Error(`supersede: ${res.statusCode} ${res.body}`)
    }
  }
  return { ctx: { world, youngPersonId: yp.id, consentId, ...(await pathwayRecords(app, world, yp.id)) }, self: yp.actor }
}

/** The records the pathway operations act on, made by the intake worker (whose intake consent covers `pathway`). */
async function pathwayRecords(app: FastifyInstance, world: World, youngPersonId: string) {
  const create = async (url: string, payload: object) => {
    const res = await app.inject({ method: 'POST', url, headers: world.intaker.headers, payload })
    if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
    return res.json().id as string
  }
  const referTo = (toAgencyId: string) => create('/v1/referrals', { youngPersonId, toAgencyId, reason: 'Support with housing', categories: ['pathway'] })
  const goalId = await create(`/v1/young-persons/${youngPersonId}/goals`, { title: 'Find a study place' })
  return {
    goalId,
    stepId: await create(`/v1/goals/${goalId}/steps`, { title: 'Visit the open day' }),
    noteId: await create(`/v1/young-persons/${youngPersonId}/notes`, { category: 'pathway', body: 'Met at the walk-in desk' }),
    referralId: await referTo(world.agencyB.id),
    receivedReferralId: await referTo(world.agencyA.id),
  }
}

t.test('authorization matrix: caller × consent state × operation', async (t) => {
  // The intake worker alone sets up every cell: far more requests a minute than any one person makes.
  const app = await build(t, { config: { rateLimitPerMinute: 1_000_000 } })
  const world = await buildWorld(app)
  const missing = await app.inject({ url: '/v1/young-persons/00000000-0000-4000-8000-000000000000', headers: world.direct.headers })
  t.equal(missing.statusCode, 404)
  const notFound = problemShape(missing.json())

  const used = new Set(Object.values(ROWS).flatMap((row) => Object.values(row.profiles)))
  t.same(PROFILES.filter((p) => !used.has(p)), [], 'every profile an operation states an outcome for is reached by some row')

  for (const [rowName, row] of Object.entries(ROWS)) {
    await t.test(rowName, async (t) => {
      for (const state of CONSENT_STATES) {
        const profile = row.profiles[state]
        const observed: Record<string, Outcome | string> = {}
        const expected: Record<string, Outcome> = {}
        let cell = await buildCell(app, world, row, state)
        let accessChanged = false
        for (const [name, op] of ordered) {
          if (op.changesAccess) {
            if (accessChanged) cell = await buildCell(app, world, row, state)
            accessChanged = true
          }
          const caller = row.caller(world, cell.self)
          const headers = { ...op.headers?.(cell.ctx), ...caller.headers }
          const res = await app.inject({ method: op.method, url: op.url(cell.ctx), headers, payload: op.body?.(cell.ctx) })
          const outcome = op.observe ? op.observe(res, cell.ctx) : res.statusCode
          // Not found, not forbidden: every 404 is the same document as for an id that does not exist.
          const sameNotFound = res.statusCode !== 404 || JSON.stringify(problemShape(res.json())) === JSON.stringify(notFound)
          observed[name] = sameNotFound ? outcome : `404 with another body: ${res.body}`
          expected[name] = op.byKind?.[row.kind] ?? op.expect[profile]
        }
        t.same(observed, expected, `${state} → ${profile}`)
      }
    })
  }
})
