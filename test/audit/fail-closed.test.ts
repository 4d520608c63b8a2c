import { sql } from 'drizzle-orm'
import t from 'tap'
import { queryRows } from '../../src/db/client.js'
import { createAdmin, createAgency, createProfessional, createYoungPerson } from '../factories.js'
import { build } from '../helper.js'

t.test('when the audit event cannot be written, the request fails and returns no data', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { kind: 'health_services' })
  const nurse = await createProfessional(app, admin, { agencyId: agency.id, role: 'nurse' })
  const yp = await createYoungPerson(app, nurse, { categories: ['identity', 'health'], givenName: 'Canary' })
  const countNotes = async () =>
    (await app.database.transaction((tx) => queryRows<{ n: number }>(tx, sql`select count(*)::int as n from notes where young_person_id = ${yp.id}`)))[0]!.n

  const before = await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: nurse.headers })
  t.equal(before.statusCode, 200, 'readable while the audit trail works')

  // The audit table refuses every insert, as a full disk or a broken trigger would.
  await app.database.transaction(async (tx) => {
    await tx.execute(sql.raw(`create function polku_test_refuse() returns trigger language plpgsql as $$ begin raise exception 'audit unavailable'; end; $$`))
    await tx.execute(sql.raw('create trigger polku_test_refuse before insert on audit_events for each row execute function polku_test_refuse()'))
  })

  const read = await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: nurse.headers })
  t.equal(read.statusCode, 500)
  t.equal(read.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.notMatch(read.body, /Canary|audit unavailable/, 'no data and no database detail in the response')

  const write = await app.inject({
    method: 'POST',
    url: `/v1/young-persons/${yp.id}/notes`,
    headers: nurse.headers,
    payload: { category: 'health', body: 'Must not be stored without its audit record' },
  })
  t.equal(write.statusCode, 500)
  t.equal(await countNotes(), 0, 'the note was rolled back with the failed audit insert')

  await app.database.transaction((tx) => tx.execute(sql.raw('drop trigger polku_test_refuse on audit_events')))
  const after = await app.inject({ url: `/v1/young-persons/${yp.id}`, headers: nurse.headers })
  t.equal(after.statusCode, 200, 'works again once the audit trail does')
})
