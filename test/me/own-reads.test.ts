import { sql } from 'drizzle-orm'
import t from 'tap'
import { queryRows } from '../../src/db/client.js'
import { createAdmin, createAgency, createProfessional, createYoungPerson } from '../factories.js'
import { build } from '../helper.js'

type Event = { action: string; resource_type: string; outcome: string; actor_kind: string }

t.test("a young person's own record, consents and requests are read through the door, each read audited", async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { kind: 'health_services' })
  const nurse = await createProfessional(app, admin, { agencyId: agency.id, role: 'nurse' })
  const yp = await createYoungPerson(app, nurse, { withAccount: true })
  const other = await createYoungPerson(app, nurse, { withAccount: true })
  const request = await app.inject({
    method: 'POST',
    url: `/v1/young-persons/${yp.id}/consent-requests`,
    headers: nurse.headers,
    payload: { grantee: { professionalId: nurse.id }, categories: ['health'], actions: ['read'], purpose: 'To follow up your sleep' },
  })
  t.equal(request.statusCode, 201)

  const eventsOf = (id: string) =>
    app.database.transaction((tx) =>
      queryRows<Event>(tx, sql`select action, resource_type, outcome, actor_kind from audit_events where young_person_id = ${id} and actor_kind = 'young_person' order by seq`),
    )

  const me = await app.inject({ url: '/v1/me', headers: yp.actor!.headers })
  t.equal(me.statusCode, 200)
  const consents = await app.inject({ url: '/v1/me/consents', headers: yp.actor!.headers })
  t.same(
    consents.json().items.map((c: { id: string }) => c.id),
    [yp.consentId],
    'their consents, and only theirs',
  )
  const requests = await app.inject({ url: '/v1/me/consent-requests', headers: yp.actor!.headers })
  t.same(
    requests.json().items.map((r: { id: string }) => r.id),
    [request.json().id],
    'their requests, and only theirs',
  )
  t.same(
    (await eventsOf(yp.id)).map((e) => [e.action, e.resource_type, e.outcome]),
    [
      ['read', 'YoungPerson', 'allowed'],
      ['list', 'Consent', 'allowed'],
      ['list', 'ConsentRequest', 'allowed'],
    ],
    'each read is one allowed event under the young person',
  )
  t.same(await eventsOf(other.id), [], "nothing is written under anyone else's record")

  const byProfessional = await app.inject({ url: '/v1/me/consents', headers: nurse.headers })
  t.equal(byProfessional.statusCode, 403, 'a professional has no "own consents"')
})
