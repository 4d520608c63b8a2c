// What `npm start` does on a fresh embedded database: seed the demo centre once and log how to get tokens.
import t from 'tap'
import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { testConfig } from '../../src/config.js'
import { queryRows } from '../../src/db/client.js'
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
  // The no-self-grant rule holds in the demo too: an in-person consent never covers the professional who recorded it.
  const selfGranted = await queryRows<{ id: string }>(
    app.database.db,
    sql`select c.id from consents c join professionals p on p.account_id = c.granted_by_account_id
      where c.method = 'in_person' and (c.grantee_professional_id = p.id or (c.grantee_professional_id is null and c.grantee_agency_id = p.agency_id))`,
  )
  const inPerson = await queryRows<{ n: number }>(app.database.db, sql`select count(*)::int as n from consents where method = 'in_person'`)
  t.ok(inPerson[0]!.n > 0, 'the demo has in-person consents')
  t.same(selfGranted, [], 'each recorded by someone other than its grantee')
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
