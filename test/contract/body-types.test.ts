// Bodies are validated, not coerced: a value of the wrong type is 400 naming the field, and nothing is stored.
import { count } from 'drizzle-orm'
import t from 'tap'
import { goals, notes, visits } from '../../src/db/schema/index.js'
import { createAdmin, createAgency, createCentre, createProfessional, createYoungPerson } from '../factories.js'
import { build } from '../helper.js'

t.test('a wrong type in a body is refused, while query strings still convert', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin)
  const counsellor = await createProfessional(app, admin, { agencyId: agency.id, role: 'youth_counsellor' })
  const centre = await createCentre(app, admin)
  const yp = await createYoungPerson(app, counsellor, { categories: ['identity', 'pathway', 'employment'] })
  const rows = async (table: typeof goals | typeof notes | typeof visits) => (await app.database.db.select({ n: count() }).from(table))[0]!.n

  const cases = [
    { url: `/v1/young-persons/${yp.id}/goals`, payload: { title: false }, field: 'body.title', table: goals },
    { url: `/v1/young-persons/${yp.id}/notes`, payload: { category: 'employment', body: 12345 }, field: 'body.body', table: notes },
    {
      url: '/v1/visits',
      payload: { date: '2026-01-15', centreId: centre.id, channel: 'walk_in', ageBand: '18_24', topics: 'work' },
      field: 'body.topics',
      table: visits,
    },
  ]
  for (const { url, payload, field, table } of cases) {
    const before = await rows(table)
    const res = await app.inject({ method: 'POST', url, headers: counsellor.headers, payload })
    t.equal(res.statusCode, 400, `${url} ${JSON.stringify(payload)}: ${res.body}`)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.match(res.json(), { code: 'POLKU_VALIDATION', errors: [{ field }] })
    t.equal(await rows(table), before, 'nothing is stored')
  }

  const pathway = `/v1/young-persons/${yp.id}/pathway`
  const nullSummary = await app.inject({ method: 'PATCH', url: pathway, headers: { ...counsellor.headers, 'if-match': `"${yp.id}:0"` }, payload: { summary: null } })
  t.equal(nullSummary.statusCode, 400, nullSummary.body)
  t.match(nullSummary.json(), { errors: [{ field: 'body.summary' }] })
  t.match((await app.inject({ url: pathway, headers: counsellor.headers })).json(), { version: 0 }, 'the pathway is unchanged')

  const page = await app.inject({ url: '/v1/agencies?limit=1', headers: admin.headers })
  t.equal(page.statusCode, 200, 'limit=1 in a query string is still the number 1')
  t.equal(page.json().items.length, 1)
})
