// Walks the authorization matrix of matrix.data.ts: every caller row × consent state × operation, on one app.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { build } from '../helper.js'
import { youngPersonIn } from './cells.js'
import { CONSENT_STATES, type CallerRow, type ConsentState, type Ctx, OPERATIONS, type Outcome, PROFILES, ROWS } from './matrix.data.js'
import { buildWorld, type World } from './world.js'

const problemShape = (body: Record<string, unknown>) => ({ ...body, requestId: undefined, instance: undefined })
const isPage = (res: LightMyRequestResponse) => String(res.headers['content-type']).startsWith('text/html')

/** Operations that leave access as it was come first; those that change it run last. */
const ordered = Object.entries(OPERATIONS).sort(([, a], [, b]) => Number(a.changesAccess ?? false) - Number(b.changesAccess ?? false))

async function buildCell(app: FastifyInstance, world: World, row: CallerRow, state: ConsentState): Promise<Ctx> {
  const { yp, consentId } = await youngPersonIn(app, world, row.grantee(world), state)
  return { world, youngPersonId: yp.id, consentId, self: yp.actor, ...(await pathwayRecords(app, world, yp.id)) }
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
          const ctx = op.prepare ? { ...cell, ...(await op.prepare(app, cell)) } : cell
          const headers = { ...op.headers?.(ctx), ...caller.headers }
          const res = op.perform
            ? await op.perform(app, ctx, caller)
            : await app.inject({ method: op.method, url: op.url(ctx), headers, payload: op.body?.(ctx) })
          const outcome = op.observe ? op.observe(res, ctx) : res.statusCode
          // Not found, not forbidden: every 404 of the API is the same document as for an id that does not exist (the page answers in HTML).
          const sameNotFound = res.statusCode !== 404 || isPage(res) || JSON.stringify(problemShape(res.json())) === JSON.stringify(notFound)
          observed[name] = sameNotFound ? outcome : `404 with another body: ${res.body}`
          expected[name] = op.byKind?.[row.kind] ?? op.expect[profile]
        }
        t.same(observed, expected, `${state} → ${profile}`)
      }
    })
  }
})
