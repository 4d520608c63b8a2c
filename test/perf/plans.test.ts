// The hot statements are served by indexes: with sequential scans priced out, no plan falls back to one on a big table.
import { sql } from 'drizzle-orm'
import type { FastifyRequest } from 'fastify'
import t from 'tap'
import { resolvePrincipal } from '../../src/auth/principal.js'
import { youngPersonRead } from '../../src/authz/record-read.js'
import { queryRows } from '../../src/db/client.js'
import { createAdmin, createAgency, createProfessional, createYoungPerson } from '../factories.js'
import { build } from '../helper.js'

/** Tables that grow with use: a sequential scan on one of them would grow with it. */
const BIG = /Seq Scan on (consents|audit_events|audit_heads|notes|young_persons)\b/

t.test('the consent-checked, audited read of a young person uses indexes only', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { name: 'Student health care' })
  const nurse = await createProfessional(app, admin, { agencyId: agency.id, role: 'nurse' })
  const yp = await createYoungPerson(app, nurse)
  const principal = await resolvePrincipal(app.database.db, nurse.subject, [])
  const request = { id: 'plan-test', principal } as unknown as FastifyRequest
  const { statement } = youngPersonRead(request, yp.id)

  // EXPLAIN without ANALYZE plans the audit insert without running it; the planner avoids a
  // sequential scan whenever an index can serve, so one left in the plan means a missing index.
  const plan = await app.database.transaction(async (tx) => {
    await tx.execute(sql`set local enable_seqscan = off`)
    const rows = await queryRows<{ 'QUERY PLAN': string }>(tx, sql`explain ${statement}`)
    return rows.map((r) => r['QUERY PLAN']).join('\n')
  })
  t.match(plan, /Index (Only )?Scan|Bitmap Index Scan/, 'the plan reads through indexes')
  t.notMatch(plan, BIG, "no sequential scan on a growing table")
})
