// Writers for different young persons never wait for each other; writers for the same one queue on its chain.
import t from 'tap'
import { recordAudit } from '../../src/modules/audit/audit.writer.js'
import { verifyAuditLog } from '../../src/modules/audit/audit.verify.js'
import { createAdmin, createAgency, createProfessional } from '../factories.js'
import { build, onPostgres } from '../helper.js'
import { audit, chainEvents, insertYoungPerson, principalOf, read, requestBy } from './fixtures.js'

const settlesWithin = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), ms))])

t.test('concurrent audited writes for two young persons do not serialise on one lock', { skip: onPostgres ? false : 'PGlite has a single connection: run with TEST_DATABASE_URL' }, async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin)
  const pro = await principalOf(app, (await createProfessional(app, admin, { agencyId: agency.id })).subject)
  const aada = await insertYoungPerson(app, 'Aada')
  const bea = await insertYoungPerson(app, 'Bea')
  await audit(app, pro, [read(aada.id)])
  await audit(app, pro, [read(bea.id)])

  let release!: () => void
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  let appended!: () => void
  const holding = new Promise<void>((resolve) => {
    appended = resolve
  })
  // Transaction A appends to Aada's chain and stays open, holding her chain's head row.
  const txA = app.database.transaction(async (tx) => {
    await recordAudit(tx, requestBy(pro), [read(aada.id)])
    appended()
    await released
  })
  await holding

  const otherPerson = audit(app, pro, [read(bea.id)])
  t.equal(await settlesWithin(otherPerson, 2000), true, "Bea's event commits while Aada's transaction is still open")

  const samePerson = audit(app, pro, [read(aada.id)])
  t.equal(await settlesWithin(samePerson, 300), false, "a second writer of Aada's chain waits for the first")

  release()
  await txA
  await samePerson
  t.same((await chainEvents(app, aada.id)).map((e) => e.seq), [1, 2, 3])
  t.same((await chainEvents(app, bea.id)).map((e) => e.seq), [1, 2])
  t.match(await verifyAuditLog(app.database), { ok: true, chainsChecked: 2, eventsChecked: 5 })
})

t.test('two requests recording the same young persons in opposite orders do not deadlock', { skip: onPostgres ? false : 'PGlite has a single connection: run with TEST_DATABASE_URL' }, async (t) => {
  const app = await build(t)
  const [first, second] = [await insertYoungPerson(app, 'Aada'), await insertYoungPerson(app, 'Bea')].sort((a, b) => (a.id < b.id ? -1 : 1))
  await audit(app, null, [read(first!.id), read(second!.id)])

  let holdingFirst!: () => void
  const holding = new Promise<void>((resolve) => {
    holdingFirst = resolve
  })
  let listStarted!: () => void
  const started = new Promise<void>((resolve) => {
    listStarted = resolve
  })
  // A holds the first chain; B, a list read that returned the two in the other order, records both at once; then A needs the second.
  const txA = app.database.transaction(async (tx) => {
    await recordAudit(tx, requestBy(null), [read(first!.id)])
    holdingFirst()
    await started
    await new Promise((resolve) => setTimeout(resolve, 200))
    await recordAudit(tx, requestBy(null), [read(second!.id)])
  })
  await holding
  const txB = app.database.transaction(async (tx) => {
    const recording = recordAudit(tx, requestBy(null), [read(second!.id), read(first!.id)])
    listStarted()
    await recording
  })
  const results = await Promise.allSettled([txA, txB])
  t.same(
    results.map((r) => r.status),
    ['fulfilled', 'fulfilled'],
    String(results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { cause?: Error }).cause?.message ?? r.reason] : []))),
  )
  t.match(await verifyAuditLog(app.database), { ok: true, eventsChecked: 6 })
})
