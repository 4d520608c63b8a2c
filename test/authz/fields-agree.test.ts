// One decision per field: what a caller sees of a young person in the caseload is what the single read shows.
import t from 'tap'
import { build } from '../helper.js'
import { youngPersonIn } from './cells.js'
import { type ConsentState, ROWS } from './matrix.data.js'
import { buildWorld } from './world.js'

const LISTED_FIELDS = ['givenName', 'familyName'] as const

/** One state of each access profile a row reaches (the other ended states read like `revoked`). */
const STATES: ConsentState[] = ['none', 'active', 'revoked', 'otherCategory', 'readOnly']

/** What a caller sees of one young person: nothing (null), or the fields and categories shown. */
type View = { fields: string[]; categories: string[] } | null

t.test('caseload fields equal single-read fields for every caller row and consent state', async (t) => {
  const app = await build(t, { config: { rateLimitPerMinute: 1_000_000 } })
  const world = await buildWorld(app)

  for (const [rowName, row] of Object.entries(ROWS)) {
    await t.test(rowName, async (t) => {
      for (const state of STATES) {
        const { yp } = await youngPersonIn(app, world, row.grantee(world), state)
        const caller = row.caller(world, yp.actor)
        const single = await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: caller.headers })
        const list = await app.inject({ url: '/v1/caseload?limit=100', headers: caller.headers })
        if (row.kind !== 'professional' && row.kind !== 'partner') {
          t.equal(list.statusCode, 403, `${state}: the caseload is not for a ${row.kind}`)
          continue
        }
        t.equal(list.statusCode, 200)
        t.equal(list.json().nextCursor, null, 'the whole caseload is on one page')
        const item = list.json().items.find((i: { id: string }) => i.id === yp.id)
        const fromList: View = item ? { fields: LISTED_FIELDS.filter((f) => item[f] !== null), categories: item.categories } : null
        const body = single.statusCode === 200 ? single.json() : undefined
        const fromSingle: View = body ? { fields: LISTED_FIELDS.filter((f) => f in body), categories: body.categories } : null
        t.same(fromList, fromSingle, `${state}: list ${JSON.stringify(fromList)}, single read ${single.statusCode}`)
      }
    })
  }
})
