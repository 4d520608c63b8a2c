import t from 'tap'
import { createAdmin, createAgency, createAuditor, createCentre, createProfessional } from '../factories.js'
import { build } from '../helper.js'
import { centreDay, insertYoungPerson, partnerHeaders, visitCount } from '../stats/fixtures.js'

t.test('anonymous visits', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { kind: 'youth_work' })
  const pro = await createProfessional(app, admin, { agencyId: agency.id })
  const centre = await createCentre(app, admin)
  const today = centreDay(0)
  const visit = (extra: Record<string, unknown> = {}) => ({
    date: today,
    centreId: centre.id,
    channel: 'walk_in',
    ageBand: '18_24',
    topics: ['housing', 'benefits'],
    ...extra,
  })
  const post = (payload: Record<string, unknown>, headers = pro.headers) => app.inject({ method: 'POST', url: '/v1/visits', headers, payload })
  const batch = (visits: unknown[], headers = pro.headers) => app.inject({ method: 'POST', url: '/v1/visits/batch', headers, payload: { visits } })

  t.test('a professional records a visit; it names nobody', async (t) => {
    const res = await post(visit({ services: ['housing_advice', 'referral'], referredTo: ['social_services'] }))
    t.equal(res.statusCode, 201)
    const body = res.json()
    t.match(body.id, /^[0-9a-f-]{36}$/)
    t.same(body, {
      id: body.id,
      date: today,
      centreId: centre.id,
      channel: 'walk_in',
      ageBand: '18_24',
      topics: ['housing', 'benefits'],
      services: ['housing_advice', 'referral'],
      referredTo: ['social_services'],
    })
  })

  t.test('services and referrals default to none', async (t) => {
    const res = await post(visit({ date: centreDay(-30), channel: 'phone', topics: ['studies'] }))
    t.equal(res.statusCode, 201)
    t.match(res.json(), { services: [], referredTo: [], topics: ['studies'] })
  })

  t.test('identity-looking and unknown properties are rejected, named, and nothing is stored', async (t) => {
    const before = await visitCount(app)
    for (const [name, value] of [
      ['name', 'Aada Testinen'],
      ['givenName', 'Aada'],
      ['ssn', '010203A123B'],
      ['email', 'aada@example.test'],
      ['notes', 'came in crying about rent'],
      ['youngPersonId', '00000000-0000-4000-8000-000000000001'],
      ['professionalId', pro.id],
    ] as const) {
      const res = await post(visit({ [name]: value }))
      t.equal(res.statusCode, 400, `${name} is rejected`)
      t.match(res.json(), {
        code: 'POLKU_VALIDATION',
        detail: `Invalid request: body.${name} is not an accepted property`,
        errors: [{ field: `body.${name}`, message: 'is not an accepted property' }],
      })
      t.notOk(res.body.includes(String(value)), 'the rejected value is not echoed')
    }
    t.equal(await visitCount(app), before, 'no visit was stored')
  })

  t.test('values outside the closed lists are rejected', async (t) => {
    const before = await visitCount(app)
    for (const [bad, field] of [
      [{ topics: [] }, 'body.topics'],
      [{ topics: ['housing', 'housing'] }, 'body.topics'],
      [{ topics: ['rent arrears at Hervanta'] }, 'body.topics.0'],
      [{ channel: 'sms' }, 'body.channel'],
      [{ ageBand: '30_plus' }, 'body.ageBand'],
      [{ services: ['counselling'] }, 'body.services.0'],
      [{ referredTo: ['police'] }, 'body.referredTo.0'],
      [{ date: '2026-02-30' }, 'body.date'],
      [{ centreId: 'not-a-uuid' }, 'body.centreId'],
    ] as const) {
      const res = await post(visit(bad))
      t.equal(res.statusCode, 400, JSON.stringify(bad))
      t.equal(res.json().errors[0].field, field)
    }
    t.equal(await visitCount(app), before)
  })

  t.test('a visit cannot be in the future; today in Finland is fine', async (t) => {
    const before = await visitCount(app)
    const tomorrow = centreDay(1)
    const res = await post(visit({ date: tomorrow }))
    t.equal(res.statusCode, 422)
    t.match(res.json(), { code: 'POLKU_UNPROCESSABLE', detail: `body.date is in the future: visits are recorded on or after the day they happen (today is ${today} in Finland)` })
    t.equal(await visitCount(app), before)
    t.equal((await post(visit())).statusCode, 201)
  })

  t.test('an unknown centre is 422 and nothing is stored', async (t) => {
    const before = await visitCount(app)
    const res = await post(visit({ centreId: '00000000-0000-4000-8000-000000000000' }))
    t.equal(res.statusCode, 422)
    t.equal(res.json().detail, 'body.centreId does not name a centre')
    t.equal(await visitCount(app), before)
  })

  t.test('a batch is stored whole', async (t) => {
    const before = await visitCount(app)
    const res = await batch(Array.from({ length: 1000 }, (_, i) => visit({ date: centreDay(-(i % 60)), channel: i % 2 ? 'chat' : 'event' })))
    t.equal(res.statusCode, 201)
    t.same(res.json(), { created: 1000 })
    t.equal(await visitCount(app), before + 1000)
  })

  t.test('a batch with one bad visit stores nothing and names the visit', async (t) => {
    const before = await visitCount(app)
    const visits = Array.from({ length: 600 }, () => visit())
    visits[517] = visit({ centreId: '00000000-0000-4000-8000-000000000000' })
    const badCentre = await batch(visits)
    t.equal(badCentre.statusCode, 422)
    t.equal(badCentre.json().detail, 'body.visits.517.centreId does not name a centre')

    visits[517] = visit({ date: centreDay(2) })
    const future = await batch(visits)
    t.equal(future.statusCode, 422)
    t.match(future.json().detail, /^body\.visits\.517\.date is in the future/)

    visits[517] = visit({ name: 'Aada' })
    const named = await batch(visits)
    t.equal(named.statusCode, 400)
    t.same(named.json().errors, [{ field: 'body.visits.517.name', message: 'is not an accepted property' }])

    const extra = await app.inject({ method: 'POST', url: '/v1/visits/batch', headers: pro.headers, payload: { visits: [visit()], centre: 'x' } })
    t.equal(extra.statusCode, 400)
    t.equal(extra.json().errors[0].field, 'body.centre')

    const tooMany = await batch(Array.from({ length: 1001 }, () => visit()))
    t.equal(tooMany.statusCode, 400)
    t.equal(tooMany.json().errors[0].field, 'body.visits')
    t.equal((await batch([])).statusCode, 400, 'an empty batch is rejected')
    t.equal(await visitCount(app), before, 'nothing from any of them was stored')
  })

  t.test('who may record visits', async (t) => {
    const auditor = await createAuditor(app)
    const person = await insertYoungPerson(app, 'Aada', 'Testinen')
    const writer = await partnerHeaders(app, admin, agency.id, ['visits:write'])
    const reader = await partnerHeaders(app, admin, agency.id, ['stats:read'])
    const before = await visitCount(app)
    for (const [who, headers] of [
      ['admin', admin.headers],
      ['auditor', auditor.headers],
      ['young person', person.headers],
      ['partner without visits:write', reader],
    ] as const) {
      const res = await post(visit(), headers)
      t.equal(res.statusCode, 403, `${who}: 403`)
      t.equal(res.json().code, 'POLKU_FORBIDDEN')
      t.equal((await batch([visit()], headers)).statusCode, 403, `${who}: 403 for a batch`)
    }
    t.equal(await visitCount(app), before)
    t.equal((await post(visit(), writer)).statusCode, 201, 'a partner with visits:write records visits')
    t.equal((await batch([visit(), visit()], writer)).statusCode, 201)
    t.equal(await visitCount(app), before + 3)
  })
})
