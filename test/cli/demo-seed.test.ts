// What `npm start` does on a fresh embedded database: seed the demo centre once and log how to get tokens.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { testConfig } from '../../src/config.js'
import { seedDemo, seedDemoIfEmpty } from '../../src/modules/demo/demo.seed.js'
import { createAdmin } from '../factories.js'
import { bearer, build, onPostgres, tokenFor } from '../helper.js'

t.test('an empty embedded database is seeded once, with agencies of four kinds and one professional per main role', async (t) => {
  const logs: string[] = []
  const app = await build(t, { logs, config: onPostgres ? {} : { demoSeed: true } })
  if (onPostgres) {
    t.equal(await seedDemoIfEmpty(app), false, 'a PostgreSQL database is never seeded at start-up')
    const admin = await createAdmin(app)
    t.same((await app.inject({ method: 'GET', url: '/v1/agencies', headers: admin.headers })).json().items, [])
    return
  }

  t.equal(await seedDemoIfEmpty(app), true)
  const line = logs.map((l) => JSON.parse(l) as { msg: string; accounts?: string[] }).find((l) => l.msg.startsWith('seeded the demo centre'))
  t.ok(line, 'start-up logs that the demo was seeded')
  t.match(line!.msg, /npm run cli -- token --sub demo-youth-counsellor/, 'and how to get a token')
  t.match(line!.accounts, ['demo-admin', 'demo-auditor', 'demo-youth-counsellor'])

  const admin = bearer(tokenFor(app, 'demo-admin'))
  const agencies = (await app.inject({ method: 'GET', url: '/v1/agencies', headers: admin })).json().items as { kind: string }[]
  t.same(agencies.map((a) => a.kind).sort(), ['education', 'employment_service', 'health_services', 'social_services'])
  const professionals = (await app.inject({ method: 'GET', url: '/v1/professionals', headers: admin })).json().items as { role: string; active: boolean }[]
  t.same(professionals.map((p) => p.role).sort(), ['nurse', 'outreach_worker', 'psychologist', 'social_worker', 'study_counsellor', 'youth_counsellor'])
  t.ok(professionals.every((p) => p.active))

  const counsellor = await app.inject({ method: 'GET', url: '/v1/centres', headers: bearer(tokenFor(app, 'demo-youth-counsellor')) })
  t.equal(counsellor.statusCode, 200, 'the logged command gives a working professional token')
  const auditor = await app.inject({ method: 'GET', url: '/v1/agencies', headers: bearer(tokenFor(app, 'demo-auditor')) })
  t.equal(auditor.statusCode, 403, 'the demo auditor exists and is not an admin')

  t.equal(await seedDemoIfEmpty(app), false, 'a second start does nothing')
  const again = await seedDemo(app.database)
  t.equal(again.created, false, 'demo:seed on a seeded database writes nothing')
  t.equal(again.accounts.length, 8)
  t.equal((await app.inject({ method: 'GET', url: '/v1/agencies', headers: admin })).json().items.length, 4, 'still four agencies')
})

t.test('a database that already has accounts is left alone, and production never seeds', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  t.equal(await seedDemoIfEmpty(app), false)
  t.same((await app.inject({ method: 'GET', url: '/v1/agencies', headers: admin.headers })).json().items, [])

  // Production is refused before the database is touched, so an app without one shows it.
  const production = { config: { ...testConfig(), env: 'production' } } as unknown as FastifyInstance
  t.equal(await seedDemoIfEmpty(production), false)
})
