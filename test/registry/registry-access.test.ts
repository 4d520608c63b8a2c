// Who may use the registry: admins only for every write and for accounts; professionals may read agencies and centres.
import t from 'tap'
import { createAdmin, createAgency, createAuditor, createCentre, createPartnerClient, createProfessional } from '../factories.js'
import { bearer, build } from '../helper.js'

t.test('every admin route is refused to professionals, auditors and partner tokens, and nothing is written', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { name: 'Employment services', kind: 'employment_service' })
  const centre = await createCentre(app, admin)
  const pro = await createProfessional(app, admin, { agencyId: agency.id, role: 'social_worker' })
  const auditor = await createAuditor(app)
  const client = await createPartnerClient(app, admin, { agencyId: agency.id, scopes: ['stats:read', 'visits:write', 'pathway:read'] })
  const tokenRes = await app.inject({
    method: 'POST',
    url: '/v1/oauth/token',
    payload: { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret },
  })
  t.equal(tokenRes.statusCode, 200, tokenRes.body)
  const partner = { headers: bearer(tokenRes.json().access_token as string) }

  // [method, url, body, may a professional call it?, the admin's status]
  const routes: [string, string, object | undefined, boolean, number][] = [
    ['POST', '/v1/agencies', { name: 'Rogue agency', kind: 'ngo' }, false, 201],
    ['GET', '/v1/agencies', undefined, true, 200],
    ['GET', `/v1/agencies/${agency.id}`, undefined, true, 200],
    ['POST', '/v1/professionals', { agencyId: agency.id, role: 'nurse', displayName: 'Rogue', subject: 'rogue-subject' }, false, 201],
    ['GET', '/v1/professionals', undefined, false, 200],
    ['GET', `/v1/professionals/${pro.id}`, undefined, false, 200],
    ['POST', `/v1/professionals/${pro.id}/deactivate`, undefined, false, 200],
    ['POST', '/v1/partner-clients', { name: 'Rogue system', agencyId: agency.id, scopes: ['stats:read'] }, false, 201],
    ['GET', '/v1/partner-clients', undefined, false, 200],
    ['GET', `/v1/partner-clients/${client.id}`, undefined, false, 200],
    ['POST', `/v1/partner-clients/${client.id}/disable`, undefined, false, 200],
    ['POST', `/v1/partner-clients/${client.id}/rotate-secret`, undefined, false, 200],
    ['POST', '/v1/centres', { name: 'Rogue centre', municipality: 'Nowhere' }, false, 201],
    ['GET', '/v1/centres', undefined, true, 200],
    ['GET', `/v1/centres/${centre.id}`, undefined, true, 200],
  ]
  const callers = [
    ['professional', pro.headers],
    ['auditor', auditor.headers],
    ['partner token', partner.headers],
  ] as const

  for (const [kind, headers] of callers) {
    for (const [method, url, payload, professionalMay] of routes) {
      const allowed = kind === 'professional' && professionalMay
      const res = await app.inject({ method: method as 'GET' | 'POST', url, headers, ...(payload ? { payload } : {}) })
      if (allowed) {
        t.equal(res.statusCode, 200, `${kind} ${method} ${url} is allowed`)
        continue
      }
      t.equal(res.statusCode, 403, `${kind} ${method} ${url}`)
      t.match(res.headers['content-type'], /^application\/problem\+json/)
      t.match(res.json(), { status: 403, code: 'POLKU_FORBIDDEN', title: 'Forbidden' })
    }
  }

  // The refusals changed nothing: the same records, the professional and the partner still active, the secret unchanged.
  const agencies = (await app.inject({ method: 'GET', url: '/v1/agencies', headers: admin.headers })).json()
  t.same(agencies.items.map((a: { id: string }) => a.id), [agency.id])
  const professionals = (await app.inject({ method: 'GET', url: '/v1/professionals', headers: admin.headers })).json()
  t.match(professionals.items, [{ id: pro.id, active: true }])
  t.equal(professionals.items.length, 1)
  const clients = (await app.inject({ method: 'GET', url: '/v1/partner-clients', headers: admin.headers })).json()
  t.match(clients.items, [{ id: client.id, active: true }])
  t.equal(clients.items.length, 1)
  const centres = (await app.inject({ method: 'GET', url: '/v1/centres', headers: admin.headers })).json()
  t.equal(centres.items.length, 1)
  const again = await app.inject({
    method: 'POST',
    url: '/v1/oauth/token',
    payload: { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret },
  })
  t.equal(again.statusCode, 200, 'the original secret still works: rotate-secret was not carried out')

  await t.test('an admin may call every one of those routes', async (t) => {
    for (const [method, url, payload, , status] of routes) {
      const res = await app.inject({ method: method as 'GET' | 'POST', url, headers: admin.headers, ...(payload ? { payload } : {}) })
      t.equal(res.statusCode, status, `admin ${method} ${url}: ${res.body.slice(0, 200)}`)
    }
  })
})
