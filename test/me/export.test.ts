import { sql } from 'drizzle-orm'
import t from 'tap'
import { queryRows } from '../../src/db/client.js'
import { createAdmin, createAgency, createProfessional, createYoungPerson } from '../factories.js'
import { build } from '../helper.js'

t.test('a young person exports everything held about them, in every category', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { kind: 'health_services' })
  const nurse = await createProfessional(app, admin, { agencyId: agency.id, role: 'nurse' })
  const yp = await createYoungPerson(app, nurse, { categories: ['identity', 'pathway', 'health'], withAccount: true, givenName: 'Ilona' })

  const note = await app.inject({
    method: 'POST',
    url: `/v1/young-persons/${yp.id}/notes`,
    headers: nurse.headers,
    payload: { category: 'health', body: 'Sleep has improved.' },
  })
  t.equal(note.statusCode, 201)
  const goal = await app.inject({
    method: 'POST',
    url: `/v1/young-persons/${yp.id}/goals`,
    headers: nurse.headers,
    payload: { title: 'Regular sleep rhythm', category: 'health' },
  })
  t.equal(goal.statusCode, 201)

  const res = await app.inject({ url: '/v1/me/export', headers: yp.actor!.headers })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.match(body.person, { id: yp.id, givenName: 'Ilona', familyName: 'Testinen' })
  t.same(
    body.consents.map((c: { id: string; status: string }) => [c.id, c.status]),
    [[yp.consentId, 'active']],
  )
  t.same(
    body.notes.map((n: { category: string; body: string }) => [n.category, n.body]),
    [['health', 'Sleep has improved.']],
  )
  t.same(
    body.pathway.goals.map((g: { title: string }) => g.title),
    ['Regular sleep rhythm'],
  )
  t.same(body.referrals, [])

  const byProfessional = await app.inject({ url: '/v1/me/export', headers: nurse.headers })
  t.equal(byProfessional.statusCode, 403, 'only the young person themselves can export')

  const [logged] = await app.database.transaction((tx) =>
    queryRows<{ n: number }>(tx, sql`select count(*)::int as n from audit_events where young_person_id = ${yp.id} and action = 'export'`),
  )
  t.equal(logged?.n, 1, 'the export is in the audit trail')
})
