// The audit log is append-only, and verify finds tampering, deletion, reordering and a cut tail.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { and, eq, sql } from 'drizzle-orm'
import t from 'tap'
import { auditEvents } from '../../src/db/schema/index.js'
import { auditVerifyCommand } from '../../src/modules/audit/audit.cli.js'
import { chainHash, eventId } from '../../src/modules/audit/audit.writer.js'
import { verifyAuditLog } from '../../src/modules/audit/audit.verify.js'
import { createAdmin, createAgency, createAuditor, createPartnerClient, createProfessional } from '../factories.js'
import { bearer, build, tokenFor } from '../helper.js'
import { asDatabaseOwner, audit, chainEvents, insertYoungPerson, principalOf, read, setHead, setSeq } from './fixtures.js'

t.test('audit events are append-only and their chains are verifiable', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const auditor = await createAuditor(app)
  const agency = await createAgency(app, admin, { name: 'Vocational college', kind: 'education' })
  const counsellor = await createProfessional(app, admin, { agencyId: agency.id, role: 'study_counsellor' })
  const pro = await principalOf(app, counsellor.subject)
  const aada = await insertYoungPerson(app, 'Aada')
  const bea = await insertYoungPerson(app, 'Bea')
  for (let i = 0; i < 5; i++) await audit(app, pro, [read(aada.id), ...(i < 3 ? [read(bea.id)] : [])])
  await audit(app, pro, [{ action: 'read', resourceType: 'YoungPerson', resourceId: 'unknown', outcome: 'denied' }])
  const events = await chainEvents(app, aada.id)
  const [, , third, fourth, fifth] = events

  const verify = async (body?: unknown) => {
    const res = await app.inject({ method: body ? 'POST' : 'GET', url: '/v1/audit/verify', headers: auditor.headers, ...(body ? { payload: body } : {}) })
    const { verifiedAt, ...rest } = res.json()
    if (res.statusCode !== 200 || Number.isNaN(Date.parse(verifiedAt))) throw new Error(`verify answered ${res.statusCode} ${res.body}`)
    return rest
  }
  const intact = { ok: true, chainsChecked: 3, eventsChecked: 9, savedHeadsChecked: null, firstBroken: null }

  t.test('UPDATE, DELETE and TRUNCATE are refused by the database', async (t) => {
    const statements = { UPDATE: sql`update audit_events set action = 'nothing'`, DELETE: sql`delete from audit_events`, TRUNCATE: sql`truncate audit_events` }
    for (const [name, statement] of Object.entries(statements)) {
      const error = await app.database.db.execute(statement).then(
        () => null,
        (e: { cause?: { code?: string; message?: string } }) => e.cause,
      )
      t.match(error, { code: '42501', message: 'audit_events is append-only' }, `${name} is refused`)
    }
    t.equal((await chainEvents(app, aada.id)).length, 5, 'nothing changed')
  })

  t.test('an intact log verifies, however many events are read at a time', async (t) => {
    t.same(await verify(), intact)
    for (const pageSize of [1, 2, 3, 4]) {
      const { verifiedAt: _, ...result } = await verifyAuditLog(app.database, { pageSize })
      t.same(result, intact, `${pageSize} per page`)
    }
  })

  t.test('an event altered by the database owner is named', async (t) => {
    await asDatabaseOwner(app, (tx) => tx.update(auditEvents).set({ outcome: 'denied' }).where(eq(auditEvents.id, third!.id)))
    // Chains are walked in order; Bea's chain (3 events) comes first when her id sorts first.
    const beaFirst = bea.id < aada.id
    t.same(await verify(), {
      ok: false,
      chainsChecked: beaFirst ? 2 : 1,
      eventsChecked: beaFirst ? 5 : 2,
      savedHeadsChecked: null,
      firstBroken: {
        chain: aada.id,
        seq: 3,
        eventId: third!.id,
        reason: 'hash_mismatch',
        detail: 'the event does not hash to its stored hash from the previous link: it was altered, moved or replaced',
      },
    })
    await asDatabaseOwner(app, (tx) => tx.update(auditEvents).set({ outcome: 'allowed' }).where(eq(auditEvents.id, third!.id)))
    t.same(await verify(), intact, 'restoring the value restores the chain')
  })

  t.test('an altered event whose own hash was recomputed breaks the next link', async (t) => {
    const forged = chainHash(events[1]!.hash, {
      ...third!,
      occurredAt: third!.occurredAt.toISOString(),
      action: 'export',
    })
    await asDatabaseOwner(app, (tx) => tx.update(auditEvents).set({ action: 'export', hash: forged }).where(eq(auditEvents.id, third!.id)))
    const result = await verifyAuditLog(app.database)
    t.match(result.firstBroken, { chain: aada.id, seq: 4, eventId: fourth!.id, reason: 'hash_mismatch' })
    await asDatabaseOwner(app, (tx) => tx.update(auditEvents).set({ action: third!.action, hash: third!.hash }).where(eq(auditEvents.id, third!.id)))
    t.same(await verify(), intact)
  })

  t.test('a deleted middle event is named by its position', async (t) => {
    await asDatabaseOwner(app, (tx) => tx.delete(auditEvents).where(eq(auditEvents.id, third!.id)))
    const gap = await verifyAuditLog(app.database)
    t.equal(gap.ok, false)
    t.match(gap.firstBroken, { chain: aada.id, seq: 3, eventId: null, reason: 'sequence_gap', detail: `event 3 is missing; the next event present is 4 (${fourth!.id})` })
    for (const pageSize of [1, 2, 3]) {
      t.same((await verifyAuditLog(app.database, { pageSize })).firstBroken, gap.firstBroken, `${pageSize} per page`)
    }

    // Renumbering the rest to hide the gap leaves the next event unable to link to its predecessor.
    await asDatabaseOwner(app, async (tx) => {
      await setSeq(tx, aada.id, 4, 3)
      await setSeq(tx, aada.id, 5, 4)
      await setHead(tx, aada.id, 4, fifth!.hash)
    })
    t.match((await verifyAuditLog(app.database)).firstBroken, { chain: aada.id, seq: 3, eventId: fourth!.id, reason: 'hash_mismatch' })

    await asDatabaseOwner(app, async (tx) => {
      await setSeq(tx, aada.id, 4, 5)
      await setSeq(tx, aada.id, 3, 4)
      await setHead(tx, aada.id, 5, fifth!.hash)
      await tx.insert(auditEvents).values(third!)
    })
    t.same(await verify(), intact)
  })

  t.test('reordered events are detected at the first swapped position', async (t) => {
    await asDatabaseOwner(app, async (tx) => {
      await setSeq(tx, aada.id, 3, -1)
      await setSeq(tx, aada.id, 4, 3)
      await setSeq(tx, aada.id, -1, 4)
    })
    t.match((await verifyAuditLog(app.database)).firstBroken, { chain: aada.id, seq: 3, eventId: fourth!.id, reason: 'hash_mismatch' })
    await asDatabaseOwner(app, async (tx) => {
      await setSeq(tx, aada.id, 4, -1)
      await setSeq(tx, aada.id, 3, 4)
      await setSeq(tx, aada.id, -1, 3)
    })
    t.same(await verify(), intact)
  })

  t.test('a cut tail is detected against the heads, and against a saved snapshot when the heads were rewritten', async (t) => {
    const headRes = await app.inject({ url: '/v1/audit/head', headers: auditor.headers })
    t.equal(headRes.statusCode, 200)
    const saved = headRes.json()
    t.equal(saved.chains, 3)
    t.match(saved.digest, /^[0-9a-f]{64}$/)
    t.same(
      saved.heads.find((h: { chain: string }) => h.chain === aada.id),
      { chain: aada.id, seq: 5, hash: fifth!.hash, eventId: fifth!.id },
    )

    // Heads move on after the snapshot: the saved heads stay valid.
    await audit(app, pro, [read(bea.id)])
    t.same(await verify(saved), { ...intact, eventsChecked: 10, savedHeadsChecked: 3 })

    await asDatabaseOwner(app, (tx) => tx.delete(auditEvents).where(eq(auditEvents.id, fifth!.id)))
    t.match((await verifyAuditLog(app.database)).firstBroken, { chain: aada.id, seq: 5, eventId: null, reason: 'missing_event' })

    await asDatabaseOwner(app, (tx) => setHead(tx, aada.id, 4, fourth!.hash))
    t.equal((await verifyAuditLog(app.database)).ok, true, 'with the head rewritten, the chain alone looks whole')
    const against = await verify(saved)
    t.same(against, {
      ...intact,
      ok: false,
      eventsChecked: 9,
      savedHeadsChecked: against.savedHeadsChecked,
      firstBroken: {
        chain: aada.id,
        seq: 5,
        eventId: fifth!.id,
        reason: 'missing_against_saved_head',
        detail: 'the saved head is event 5 of this chain, but the chain now ends at 4',
      },
    })

    const dir = mkdtempSync(join(tmpdir(), 'polku-heads-'))
    const file = join(dir, 'head.json')
    writeFileSync(file, JSON.stringify(saved))
    const out: string[] = []
    t.equal(await auditVerifyCommand(app.database, file, (l) => out.push(l), (l) => out.push(l)), 1, 'the CLI exits 1')
    t.match(out[0], `audit log BROKEN: missing_against_saved_head in chain ${aada.id} at seq 5 (event ${fifth!.id})`)

    await asDatabaseOwner(app, async (tx) => {
      await tx.insert(auditEvents).values(fifth!)
      await setHead(tx, aada.id, 5, fifth!.hash)
    })
    t.same(await verify(saved), { ...intact, eventsChecked: 10, savedHeadsChecked: 3 })
    out.length = 0
    t.equal(await auditVerifyCommand(app.database, file, (l) => out.push(l), (l) => out.push(l)), 0)
    t.same(out, ['audit log intact: 3 chains, 10 events, 3 saved heads in place'])
  })

  t.test('a chain rewritten from a saved head onwards is caught by the saved hash', async (t) => {
    const saved = (await app.inject({ url: '/v1/audit/head', headers: auditor.headers })).json()
    const forged = chainHash(fourth!.hash, { ...fifth!, occurredAt: fifth!.occurredAt.toISOString(), category: 'health' })
    await asDatabaseOwner(app, async (tx) => {
      await tx.update(auditEvents).set({ category: 'health', hash: forged }).where(eq(auditEvents.id, fifth!.id))
      await setHead(tx, aada.id, 5, forged)
    })
    t.equal((await verifyAuditLog(app.database)).ok, true)
    t.match((await verify(saved)).firstBroken, { chain: aada.id, seq: 5, eventId: fifth!.id, reason: 'saved_head_mismatch' })
    await asDatabaseOwner(app, async (tx) => {
      await tx.update(auditEvents).set({ category: fifth!.category, hash: fifth!.hash }).where(eq(auditEvents.id, fifth!.id))
      await setHead(tx, aada.id, 5, fifth!.hash)
    })
    t.equal((await verify(saved)).ok, true)
  })

  t.test('a saved snapshot edited after saving is refused', async (t) => {
    const saved = (await app.inject({ url: '/v1/audit/head', headers: auditor.headers })).json()
    const edited = { ...saved, heads: saved.heads.filter((h: { chain: string }) => h.chain !== aada.id) }
    const res = await app.inject({ method: 'POST', url: '/v1/audit/verify', headers: auditor.headers, payload: edited })
    t.equal(res.statusCode, 422)
    t.match(res.json(), { status: 422, code: 'POLKU_UNPROCESSABLE', detail: /do not match their digest/ })
    const bad = await app.inject({ method: 'POST', url: '/v1/audit/verify', headers: auditor.headers, payload: { heads: [] } })
    t.equal(bad.statusCode, 400)
  })

  t.test('a young person id spelled in upper case still verifies', async (t) => {
    await audit(app, pro, [read(aada.id.toUpperCase(), { consentIds: [randomUUID().toUpperCase()] })])
    const [last] = await app.database.db.select().from(auditEvents).where(and(eq(auditEvents.chain, aada.id), eq(auditEvents.seq, 6)))
    t.equal(last?.youngPersonId, aada.id, 'the event joined the lower-case chain')
    t.same(await verify(), { ...intact, eventsChecked: 11 })
  })

  t.test('only auditors reach the audit routes', async (t) => {
    const yp = { headers: aada.headers }
    const client = await createPartnerClient(app, admin, { agencyId: agency.id, scopes: ['stats:read'] })
    const partner = { headers: bearer(tokenFor(app, `partner:${client.clientId}`)) }
    for (const caller of [admin, counsellor, yp, partner]) {
      for (const [method, url] of [
        ['GET', '/v1/audit/head'],
        ['GET', '/v1/audit/verify'],
        ['POST', '/v1/audit/verify'],
        ['GET', '/v1/audit/events'],
      ] as const) {
        const res = await app.inject({ method, url, headers: caller.headers, ...(method === 'POST' ? { payload: { digest: '0'.repeat(64), heads: [] } } : {}) })
        t.equal(res.statusCode, 403, `${method} ${url}`)
        t.match(res.json(), { status: 403, code: 'POLKU_FORBIDDEN' })
      }
    }
    const anonymous = await app.inject({ url: '/v1/audit/verify' })
    t.equal(anonymous.statusCode, 401)
  })
})

t.test('event ids are version 7 uuids that sort by the time they were made', async (t) => {
  const at = Date.UTC(2026, 0, 2, 3, 4, 5, 678)
  const id = eventId(at)
  t.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  t.equal(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16), at, 'the first 48 bits are the milliseconds')
  t.ok(eventId(at) < eventId(at + 1), 'a later millisecond sorts after')
  t.not(eventId(at), eventId(at), 'the rest is random')
})
