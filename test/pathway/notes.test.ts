// Notes: each category visible only under consent for it, never edited, corrected by new notes; refusals audited.
import { and, count, eq } from 'drizzle-orm'
import t from 'tap'
import { auditEvents, notes } from '../../src/db/schema/index.js'
import { createAdmin, createAgency, createProfessional, createYoungPerson, grantConsent } from '../factories.js'
import { build } from '../helper.js'

interface NoteBody {
  id: string
  category: string
  body: string
  corrects: string | null
  correctedBy: string[]
}

t.test('notes', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const health = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
  const employment = await createAgency(app, admin, { name: 'Employment services', kind: 'employment_service' })
  const social = await createAgency(app, admin, { name: 'Social services', kind: 'social_services' })
  const nurse = await createProfessional(app, admin, { agencyId: health.id, role: 'nurse', displayName: 'Noora Hoitaja' })
  const counsellor = await createProfessional(app, admin, { agencyId: employment.id, role: 'youth_counsellor' })
  const socialWorker = await createProfessional(app, admin, { agencyId: social.id, role: 'social_worker' })
  const stranger = await createProfessional(app, admin, { agencyId: social.id, role: 'outreach_worker' })
  const yp = await createYoungPerson(app, nurse, { categories: ['identity', 'pathway', 'health'], withAccount: true })
  const other = await createYoungPerson(app, nurse, { categories: ['health'] })
  await grantConsent(app, yp, { grantee: { professionalId: counsellor.id }, categories: ['employment'], actions: ['read', 'write'] })
  await grantConsent(app, yp, { grantee: { professionalId: socialWorker.id }, categories: ['social', 'pathway'], actions: ['read'] })

  const url = `/v1/young-persons/${yp.id}/notes`
  const write = (who: { headers: Record<string, string> }, payload: object, to = url) => app.inject({ method: 'POST', url: to, headers: who.headers, payload })
  const list = (who: { headers: Record<string, string> }, query = '') => app.inject({ url: `${url}${query}`, headers: who.headers })
  const noteCount = async () => (await app.database.db.select({ n: count() }).from(notes))[0]!.n

  let healthNote: NoteBody
  let pathwayNote: NoteBody
  let employmentNote: NoteBody

  await t.test('a professional writes notes in the categories their consent gives write for', async (t) => {
    const res = await write(nurse, { category: 'health', body: 'Sleeps badly; referred to the health centre' })
    t.equal(res.statusCode, 201, res.body)
    healthNote = res.json()
    t.match(res.json(), { youngPersonId: yp.id, category: 'health', body: 'Sleeps badly; referred to the health centre', author: { professionalId: nurse.id, name: 'Noora Hoitaja' }, corrects: null, correctedBy: [] })
    pathwayNote = (await write(nurse, { category: 'pathway', body: 'Agreed to meet every two weeks' })).json()
    const employmentRes = await write(counsellor, { category: 'employment', body: 'Interested in retail work' })
    t.equal(employmentRes.statusCode, 201)
    employmentNote = employmentRes.json()
  })

  await t.test('a nurse with health consent reads health notes', async (t) => {
    const res = await list(nurse)
    t.equal(res.statusCode, 200)
    t.same(res.json().items.map((n: NoteBody) => n.id), [pathwayNote.id, healthNote.id], 'newest first, no employment note')
    t.equal(res.json().total, 2)
    t.equal(res.json().nextCursor, null)
  })

  await t.test('a counsellor with only employment consent sees neither health notes nor their count', async (t) => {
    const res = await list(counsellor)
    t.equal(res.statusCode, 200)
    t.same(res.json(), { items: [employmentNote], nextCursor: null, total: 1 })
    const filtered = await list(counsellor, '?category=health')
    t.same(filtered.json(), { items: [], nextCursor: null, total: 0 }, 'asking for health by name gives nothing either')
  })

  await t.test('read-only consent cannot write: 403, audited, and no row written', async (t) => {
    const before = await noteCount()
    const readOnly = await write(socialWorker, { category: 'social', body: 'Lives with a friend' })
    t.equal(readOnly.statusCode, 403)
    t.match(readOnly.json(), { status: 403, code: 'POLKU_FORBIDDEN' })
    const otherCategory = await write(counsellor, { category: 'health', body: 'Looks tired' })
    t.equal(otherCategory.statusCode, 403, 'consent, but not for this category')
    const ownRecord = await write({ headers: yp.actor!.headers }, { category: 'health', body: 'My own note' })
    t.equal(ownRecord.statusCode, 403, 'young persons read notes, professionals write them')
    t.equal(await noteCount(), before)

    const denied = await app.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.youngPersonId, yp.id), eq(auditEvents.resourceType, 'Note'), eq(auditEvents.outcome, 'denied')))
    const expected = [
      ['create', 'health', 'Test youth_counsellor'],
      ['create', 'health', null],
      ['create', 'social', 'Test social_worker'],
    ]
    t.same(denied.map((e) => [e.action, e.category, e.actorName]).sort(), expected.sort())
  })

  await t.test('without any consent: 404, the same as a young person who does not exist', async (t) => {
    const before = await noteCount()
    const hidden = await write(stranger, { category: 'social', body: 'x' })
    const missing = await write(stranger, { category: 'social', body: 'x' }, '/v1/young-persons/00000000-0000-4000-8000-000000000000/notes')
    t.equal(hidden.statusCode, 404)
    t.equal(missing.statusCode, 404)
    const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined, instance: undefined })
    t.same(strip(hidden.json()), strip(missing.json()))
    t.equal((await list(stranger)).statusCode, 404)
    t.equal(await noteCount(), before)
  })

  await t.test('a correction is a new note pointing at the corrected one; both stay visible', async (t) => {
    const res = await write(nurse, { category: 'health', body: 'Correction: sleeps badly only in exam weeks', corrects: healthNote.id })
    t.equal(res.statusCode, 201, res.body)
    const correction = res.json()
    t.match(correction, { category: 'health', corrects: healthNote.id, correctedBy: [] })

    const listed = await list(nurse, '?category=health')
    t.same(listed.json().items.map((n: NoteBody) => [n.id, n.corrects, n.correctedBy]), [
      [correction.id, healthNote.id, []],
      [healthNote.id, null, [correction.id]],
    ])
    t.equal((await list(counsellor)).json().total, 1, 'the correction is as hidden as the note')

    const otherCategory = await write(nurse, { category: 'pathway', body: 'x', corrects: healthNote.id })
    t.equal(otherCategory.statusCode, 422, 'a correction keeps the corrected note’s category')
    const otherNote = (await write(nurse, { category: 'health', body: 'Other person' }, `/v1/young-persons/${other.id}/notes`)).json()
    const otherPerson = await write(nurse, { category: 'health', body: 'x', corrects: otherNote.id })
    t.equal(otherPerson.statusCode, 422, 'only a note of the same young person')
    const unseen = await write(counsellor, { category: 'health', body: 'x', corrects: healthNote.id })
    t.equal(unseen.statusCode, 403, 'no write on health')
    const unreadable = await write(counsellor, { category: 'employment', body: 'x', corrects: healthNote.id })
    t.equal(unreadable.statusCode, 422)
    t.equal(unreadable.json().detail, otherPerson.json().detail, 'an unreadable note and another person’s note look alike')

    for (const method of ['PATCH', 'PUT', 'DELETE'] as const) {
      const res = await app.inject({ method, url: `/v1/notes/${healthNote.id}`, headers: nurse.headers, payload: {} })
      t.equal(res.statusCode, 404, `${method} does not exist: notes are never changed`)
    }
  })

  await t.test('the young person reads every note about them; pages follow the cursor', async (t) => {
    const all = await list({ headers: yp.actor!.headers })
    t.equal(all.statusCode, 200)
    t.equal(all.json().total, 4)
    t.same(new Set(all.json().items.map((n: NoteBody) => n.category)), new Set(['health', 'pathway', 'employment']))

    const first = await list({ headers: yp.actor!.headers }, '?limit=3')
    t.equal(first.json().items.length, 3)
    t.match(first.headers.link, /rel="next"/)
    const second = await list({ headers: yp.actor!.headers }, `?limit=3&cursor=${first.json().nextCursor}`)
    t.same(
      [...first.json().items, ...second.json().items].map((n: NoteBody) => n.id),
      all.json().items.map((n: NoteBody) => n.id),
    )
    t.equal(second.json().nextCursor, null)
  })

  await t.test('withdrawal hides the notes on the next request', async (t) => {
    const consents = await app.inject({ url: `/v1/young-persons/${yp.id}/consents`, headers: counsellor.headers })
    const [held] = consents.json().items
    const revoke = await app.inject({ method: 'POST', url: `/v1/consents/${held.id}/revoke`, headers: yp.actor!.headers, payload: {} })
    t.equal(revoke.statusCode, 200)
    t.equal((await list(counsellor)).statusCode, 404)
    t.equal((await write(counsellor, { category: 'employment', body: 'x' })).statusCode, 404)
  })

  await t.test('reads are audited per category shown, with the consents relied on', async (t) => {
    const reads = await app.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.youngPersonId, yp.id), eq(auditEvents.action, 'list'), eq(auditEvents.resourceType, 'Note'), eq(auditEvents.actorName, 'Noora Hoitaja')))
    t.ok(reads.some((e) => e.category === 'health' && e.consentIds.includes(yp.consentId) && e.outcome === 'allowed'))
    const corrected = await app.database.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'correct'), eq(auditEvents.youngPersonId, yp.id)))
    t.equal(corrected.length, 1)
  })
})
