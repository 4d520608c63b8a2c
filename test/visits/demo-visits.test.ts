import t from 'tap'
import { seedDemoVisits } from '../../src/modules/demo/demo-visits.js'
import { insertCentre } from '../../src/modules/registry/registry.queries.js'
import { createAdmin } from '../factories.js'
import { build } from '../helper.js'
import { visitCount } from '../stats/fixtures.js'

t.test('the demo holds a year of visits at three centres, quiet in July and busy in September', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const created = await app.database.transaction(async (tx) => {
    const centre = await insertCentre(tx, { name: 'Ohjaamo Demo', municipality: 'Tampere' })
    return seedDemoVisits(tx, centre.id, '2026-11-24')
  })
  t.ok(created > 2000 && created < 6000, `a few thousand visits (${created})`)
  t.equal(await visitCount(app), created)

  const res = await app.inject({ method: 'GET', url: '/v1/stats/visits?from=2025-11&to=2026-10&groupBy=month,centre', headers: admin.headers })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.equal(body.centres.length, 3)
  const month = (m: string) => body.margins.month.find((e: { key: { month: string } }) => e.key.month === m).count as number
  t.ok(month('2026-07') * 2 < month('2026-09'), `July (${month('2026-07')}) is far quieter than September (${month('2026-09')})`)
  t.ok(body.cells.some((c: { suppressed: boolean }) => !c.suppressed), 'the figures show something')

  const topics = (await app.inject({ method: 'GET', url: '/v1/stats/visits?from=2025-11&to=2026-10&groupBy=topic', headers: admin.headers })).json()
  t.ok(topics.cells.every((c: { suppressed: boolean }) => !c.suppressed), 'a year at three centres has enough visits on every topic')
})
