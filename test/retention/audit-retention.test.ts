// Audit retention removes an erased young person's whole chain, keeps its final head, audits the removal, and verification still passes.
import { sql } from 'drizzle-orm'
import t from 'tap'
import { queryRows } from '../../src/db/client.js'
import { verifyAuditLog } from '../../src/modules/audit/audit.verify.js'
import { runRetention } from '../../src/modules/retention/retention.job.js'
import { addDays } from '../../src/modules/retention/retention.rules.js'
import { build } from '../helper.js'
import { startReceiver } from '../webhooks/receiver.js'
import { closeAsCounsellor, createCentre, youngPersonWithContent } from './fixtures.js'

t.test('an expired audit chain goes whole, its head stays, and later events still verify', async (t) => {
  const app = await build(t, { config: { webhookAllowPrivateNetworks: true } })
  const centre = await createCentre(app, await startReceiver(t))
  const yp = await youngPersonWithContent(app, centre, 'Louhi')
  const kept = await youngPersonWithContent(app, centre, 'Ukko')
  await closeAsCounsellor(app, centre, yp.id)
  // Held, the other young person is never erased, so their chain must stay whatever its age.
  const hold = await app.inject({ method: 'POST', url: `/v1/young-persons/${kept.id}/legal-holds`, headers: centre.auditor.headers, payload: { reason: 'Pending appeal' } })
  t.equal(hold.statusCode, 201)
  const rules = app.config.retention
  const erasedAt = addDays(new Date(), 365 + 730 + 1)
  const first = await runRetention(app.database, rules, { now: erasedAt })
  t.same(first.erased.map((e) => [e.youngPersonId, e.whole]), [[yp.id, true]])
  t.equal(first.auditChainsRemoved, 0, 'the chain stays for the audit retention period')
  const head = await queryRows<{ seq: string | number; hash: string }>(app.database.db, sql`select seq, hash from audit_heads where chain = ${yp.id}`)

  const later = await runRetention(app.database, rules, { now: addDays(new Date(), 365 + 730 + 1 + rules.auditDays + 1) })
  t.equal(later.auditChainsRemoved, 1, 'only the erased young person’s chain goes')
  const left = await queryRows<{ n: number }>(app.database.db, sql`select count(*)::int as n from audit_events where chain = ${yp.id}`)
  t.equal(left[0]!.n, 0)
  t.ok((await queryRows<{ n: number }>(app.database.db, sql`select count(*)::int as n from audit_events where chain = ${kept.id}`))[0]!.n > 0)
  const removal = await queryRows<{ seq: string | number; hash: string }>(app.database.db, sql`select seq, hash from audit_chain_removals where chain = ${yp.id}`)
  t.same(removal.map((r) => [Number(r.seq), r.hash]), head.map((r) => [Number(r.seq), r.hash]), 'the final head is kept')
  const audited = await queryRows<{ resource_id: string; actor_kind: string }>(app.database.db, sql`select resource_id, actor_kind from audit_events where action = 'remove_audit_chain'`)
  t.same(audited, [{ resource_id: yp.id, actor_kind: 'system' }])
  t.match(await verifyAuditLog(app.database), { ok: true, firstBroken: null })

  const stillThere = await app.inject({ url: '/v1/me', headers: yp.actor.headers })
  t.equal(stillThere.statusCode, 200, 'the young person can still see their tombstone')
  t.match(await verifyAuditLog(app.database), { ok: true, firstBroken: null }, 'a new event links to the kept head')
  const deleting = app.database.transaction((tx) => tx.execute(sql`delete from audit_events where chain = ${kept.id}`))
  await t.rejects(deleting, 'the log stays append-only for everything else')
})
