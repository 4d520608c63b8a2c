import { sql } from 'drizzle-orm'
import t from 'tap'
import { queryRows } from '../../src/db/client.js'
import { createAdmin, createAgency, createProfessional, createYoungPerson } from '../factories.js'
import { build } from '../helper.js'

type Event = { action: string; resource_id: string; young_person_id: string; outcome: string }

t.test("a professional's consent requests are listed through the door, each one shown audited", async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { kind: 'health_services' })
  const nurse = await createProfessional(app, admin, { agencyId: agency.id, role: 'nurse' })
  const colleague = await createProfessional(app, admin, { agencyId: agency.id, role: 'nurse' })
  const first = await createYoungPerson(app, nurse)
  const second = await createYoungPerson(app, nurse)
  for (const yp of [first, second]) {
    const response = await app.inject({
      method: 'POST',
      url: `/v1/young-persons/${yp.id}/consent-requests`,
      headers: nurse.headers,
      payload: { grantee: { professionalId: colleague.id }, categories: ['health'], actions: ['read'], purpose: 'Shared follow-up' },
    })
    t.equal(response.statusCode, 201)
  }
  const listEvents = () =>
    app.database.transaction((tx) =>
      queryRows<Event>(tx, sql`select action, resource_id, young_person_id, outcome from audit_events where resource_type = 'ConsentRequest' and action = 'list' order by seq`),
    )

  const page = await app.inject({ url: '/v1/consent-requests?limit=1', headers: nurse.headers })
  t.equal(page.statusCode, 200)
  const shown = page.json().items as { id: string; youngPersonId: string }[]
  t.equal(shown.length, 1, 'one page of one')
  t.same(
    (await listEvents()).map((e) => [e.resource_id, e.young_person_id, e.outcome]),
    [[shown[0]!.id, shown[0]!.youngPersonId, 'allowed']],
    'one allowed event for the request shown, under its young person, none for the one not shown',
  )

  const theirs = await app.inject({ url: '/v1/consent-requests', headers: colleague.headers })
  t.same(theirs.json().items, [], 'a colleague who asked nothing sees nothing, even as the grantee named')
  t.equal((await listEvents()).length, 1, 'and nothing shown writes no event')
})
