// The admin registry: agencies, professionals, centres and partner clients, with their contract shapes and errors.
import { eq } from 'drizzle-orm'
import t from 'tap'
import { partnerClients } from '../../src/db/schema/index.js'
import { createAdmin, createAgency, createCentre } from '../factories.js'
import { build } from '../helper.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

t.test('registry', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const post = (url: string, payload?: object) => app.inject({ method: 'POST', url, headers: admin.headers, ...(payload ? { payload } : {}) })
  const get = (url: string) => app.inject({ method: 'GET', url, headers: admin.headers })

  await t.test('agencies: create, get, validation', async (t) => {
    const res = await post('/v1/agencies', { name: 'Kela youth services', kind: 'social_services' })
    t.equal(res.statusCode, 201)
    const agency = res.json()
    t.same(Object.keys(agency).sort(), ['createdAt', 'id', 'kind', 'name'])
    t.match(agency, { id: UUID, name: 'Kela youth services', kind: 'social_services', createdAt: ISO })
    t.same((await get(`/v1/agencies/${agency.id}`)).json(), agency, 'GET returns what POST returned')

    const missing = await get('/v1/agencies/00000000-0000-4000-8000-000000000000')
    t.equal(missing.statusCode, 404)
    t.match(missing.json(), { status: 404, code: 'POLKU_NOT_FOUND' })
    t.equal((await get('/v1/agencies/not-a-uuid')).statusCode, 400)

    for (const [name, payload] of [
      ['an unknown kind', { name: 'X', kind: 'bank' }],
      ['an empty name', { name: '', kind: 'ngo' }],
      ['an extra property', { name: 'X', kind: 'ngo', id: '00000000-0000-4000-8000-000000000000' }],
      ['no kind', { name: 'X' }],
    ] as const) {
      const bad = await post('/v1/agencies', payload)
      t.equal(bad.statusCode, 400, name)
      t.match(bad.json(), { status: 400, code: 'POLKU_VALIDATION', errors: [{ field: /^body/ }] }, name)
    }
  })

  await t.test('agencies: limit=1 walks every page through nextCursor, in creation order, without repeats', async (t) => {
    const created = [(await createAgency(app, admin, { name: 'A', kind: 'education' })).id, (await createAgency(app, admin, { name: 'B', kind: 'ngo' })).id, (await createAgency(app, admin, { name: 'C', kind: 'youth_work' })).id]
    const seen: string[] = []
    let url: string | null = '/v1/agencies?limit=1'
    let pages = 0
    while (url !== null && pages < 20) {
      const res = await get(url)
      t.equal(res.statusCode, 200)
      const page = res.json() as { items: { id: string }[]; nextCursor: string | null }
      t.equal(page.items.length, 1)
      seen.push(page.items[0]!.id)
      pages++
      if (page.nextCursor !== null) t.match(res.headers.link, /rel="next"/)
      else t.notOk(res.headers.link, 'no next link on the last page')
      url = page.nextCursor === null ? null : `/v1/agencies?limit=1&cursor=${page.nextCursor}`
    }
    t.same(seen.slice(-3), created, 'the three new agencies come last, in order')
    t.equal(new Set(seen).size, seen.length, 'no agency is listed twice')
    t.equal(seen.length, (await get('/v1/agencies?limit=100')).json().items.length, 'the walk saw every agency')
    t.equal((await get('/v1/agencies?cursor=garbage')).statusCode, 400)
    t.equal((await get('/v1/agencies?limit=0')).statusCode, 400)
    t.equal((await get('/v1/agencies?limit=101')).statusCode, 400)
  })

  await t.test('professionals: create, get, list by agency, duplicate subject 409, unknown agency 422, deactivate', async (t) => {
    const agency = await createAgency(app, admin, { name: 'Youth health', kind: 'health_services' })
    const centre = await createCentre(app, admin)
    const res = await post('/v1/professionals', { agencyId: agency.id, role: 'nurse', displayName: 'Laura Nurse', subject: 'laura@idp', centreIds: [centre.id] })
    t.equal(res.statusCode, 201, res.body)
    const pro = res.json()
    t.same(pro, { id: pro.id, agencyId: agency.id, role: 'nurse', displayName: 'Laura Nurse', active: true, centreIds: [centre.id], createdAt: pro.createdAt })
    t.match(pro, { id: UUID, createdAt: ISO })
    t.notOk('subject' in pro, 'the login subject is not echoed')
    t.same((await get(`/v1/professionals/${pro.id}`)).json(), pro)

    const list = (await get(`/v1/professionals?agencyId=${agency.id}`)).json()
    t.same(list, { items: [pro], nextCursor: null })

    const duplicate = await post('/v1/professionals', { agencyId: agency.id, role: 'psychologist', displayName: 'Someone else', subject: 'laura@idp' })
    t.equal(duplicate.statusCode, 409)
    t.match(duplicate.json(), { status: 409, code: 'POLKU_CONFLICT', detail: /subject/ })
    const adminSubject = await post('/v1/professionals', { agencyId: agency.id, role: 'psychologist', displayName: 'Admin twin', subject: admin.subject })
    t.equal(adminSubject.statusCode, 409, 'a subject already used by an admin account is taken too')

    const unknownAgency = await post('/v1/professionals', { agencyId: '00000000-0000-4000-8000-000000000000', role: 'nurse', displayName: 'Nobody', subject: 'nobody@idp' })
    t.equal(unknownAgency.statusCode, 422)
    t.match(unknownAgency.json(), { status: 422, code: 'POLKU_UNPROCESSABLE', detail: /agencyId/ })
    const unknownCentre = await post('/v1/professionals', { agencyId: agency.id, role: 'nurse', displayName: 'Nobody', subject: 'nobody@idp', centreIds: ['00000000-0000-4000-8000-000000000000'] })
    t.equal(unknownCentre.statusCode, 422)
    t.match(unknownCentre.json(), { detail: /centreIds/ })
    const retry = await post('/v1/professionals', { agencyId: agency.id, role: 'nurse', displayName: 'Nobody', subject: 'nobody@idp' })
    t.equal(retry.statusCode, 201, 'the refused attempts left nothing behind: the subject is still free')

    const reserved = await post('/v1/professionals', { agencyId: agency.id, role: 'nurse', displayName: 'Impostor', subject: 'partner:pc_abc' })
    t.equal(reserved.statusCode, 400, 'the partner: prefix is reserved for partner tokens')
    t.equal((await post('/v1/professionals', { agencyId: agency.id, role: 'janitor', displayName: 'X', subject: 'x@idp' })).statusCode, 400, 'unknown role')

    const off = await post(`/v1/professionals/${pro.id}/deactivate`)
    t.equal(off.statusCode, 200)
    t.same(off.json(), { ...pro, active: false })
    t.equal((await post('/v1/professionals/00000000-0000-4000-8000-000000000000/deactivate')).statusCode, 404)
  })

  await t.test('centres: create, list, get', async (t) => {
    const res = await post('/v1/centres', { name: 'Ohjaamo Tampere', municipality: 'Tampere' })
    t.equal(res.statusCode, 201)
    const centre = res.json()
    t.same(centre, { id: centre.id, name: 'Ohjaamo Tampere', municipality: 'Tampere', createdAt: centre.createdAt })
    t.same((await get(`/v1/centres/${centre.id}`)).json(), centre)
    t.ok((await get('/v1/centres')).json().items.some((c: { id: string }) => c.id === centre.id))
    t.equal((await get('/v1/centres/00000000-0000-4000-8000-000000000000')).statusCode, 404)
  })

  await t.test('partner clients: the secret is shown once, stored only as a scrypt hash, rotatable', async (t) => {
    const agency = await createAgency(app, admin, { name: 'School system', kind: 'education' })
    const res = await post('/v1/partner-clients', { name: 'Wilma', agencyId: agency.id, scopes: ['stats:read', 'visits:write'] })
    t.equal(res.statusCode, 201, res.body)
    const created = res.json()
    t.match(created, { id: UUID, clientId: /^pc_[0-9a-f]{24}$/, clientSecret: /^[A-Za-z0-9_-]{43}$/, name: 'Wilma', agencyId: agency.id, scopes: ['stats:read', 'visits:write'], active: true })

    const fetched = await get(`/v1/partner-clients/${created.id}`)
    t.equal(fetched.statusCode, 200)
    const { clientSecret, ...withoutSecret } = created
    t.same(fetched.json(), withoutSecret, 'GET returns everything but the secret')
    const listed = await get('/v1/partner-clients')
    t.notMatch(listed.body, clientSecret, 'the list never holds the secret')
    t.notMatch(listed.body, /secret/i, 'nor any secret field')

    const [row] = await app.database.transaction((tx) => tx.select().from(partnerClients).where(eq(partnerClients.id, created.id)))
    t.match(row!.secretHash, /^scrypt\$16384\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/, 'the stored value is a salted scrypt hash')
    t.notMatch(JSON.stringify(row), clientSecret, 'no column holds the secret itself')

    const rotated = await post(`/v1/partner-clients/${created.id}/rotate-secret`)
    t.equal(rotated.statusCode, 200)
    t.match(rotated.json(), { ...withoutSecret, createdAt: String, clientSecret: /^[A-Za-z0-9_-]{43}$/ })
    t.not(rotated.json().clientSecret, clientSecret)
    const [after] = await app.database.transaction((tx) => tx.select().from(partnerClients).where(eq(partnerClients.id, created.id)))
    t.not(after!.secretHash, row!.secretHash)
    t.ok(after!.secretRotatedAt instanceof Date, 'the rotation time is kept')

    const disabled = await post(`/v1/partner-clients/${created.id}/disable`)
    t.same(disabled.json(), { ...withoutSecret, active: false })

    const unknownAgency = await post('/v1/partner-clients', { name: 'Ghost', agencyId: '00000000-0000-4000-8000-000000000000', scopes: ['stats:read'] })
    t.equal(unknownAgency.statusCode, 422)
    t.equal((await post('/v1/partner-clients', { name: 'Greedy', agencyId: agency.id, scopes: ['admin'] })).statusCode, 400, 'unknown scope')
    t.equal((await post('/v1/partner-clients', { name: 'Empty', agencyId: agency.id, scopes: [] })).statusCode, 400, 'no scope')
    t.equal((await post('/v1/partner-clients/00000000-0000-4000-8000-000000000000/rotate-secret')).statusCode, 404)
    t.equal((await post('/v1/partner-clients/00000000-0000-4000-8000-000000000000/disable')).statusCode, 404)
    t.equal((await get('/v1/partner-clients/00000000-0000-4000-8000-000000000000')).statusCode, 404)
  })
})
