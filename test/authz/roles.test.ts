// Routes that hold no single young person's data, by caller kind: registry writes, audit, visits, statistics, webhooks, intake.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { createCentre } from '../factories.js'
import { build } from '../helper.js'
import { buildWorld, type Caller, type World } from './world.js'

type Kind = 'admin' | 'auditor' | 'professional' | 'partnerStatsVisits' | 'partnerPathway' | 'youngPerson'

const CALLERS: Record<Kind, (w: World) => Caller> = {
  admin: (w) => w.admin,
  auditor: (w) => w.auditor,
  professional: (w) => w.direct,
  partnerStatsVisits: (w) => w.partnerNoScope,
  partnerPathway: (w) => w.partnerRead,
  youngPerson: (w) => w.otherYoungPerson,
}

interface Ctx {
  world: World
  centreId: string
}

interface Route {
  method: 'GET' | 'POST'
  url: string
  body?: (ctx: Ctx) => object
  expect: Record<Kind, number>
}

const only = (allowed: Partial<Record<Kind, number>>): Record<Kind, number> => ({
  admin: 403,
  auditor: 403,
  professional: 403,
  partnerStatsVisits: 403,
  partnerPathway: 403,
  youngPerson: 403,
  ...allowed,
})

const lastYear = new Date().getUTCFullYear() - 1
const months = `from=${lastYear}-01&to=${lastYear}-02`

const ROUTES: Record<string, Route> = {
  'POST /v1/agencies': { method: 'POST', url: '/v1/agencies', body: () => ({ name: 'Study guidance', kind: 'education' }), expect: only({ admin: 201 }) },
  'GET /v1/agencies': { method: 'GET', url: '/v1/agencies', expect: only({ admin: 200, professional: 200 }) },
  'POST /v1/professionals': {
    method: 'POST',
    url: '/v1/professionals',
    body: (c) => ({ agencyId: c.world.agencyB.id, role: 'nurse', displayName: 'Nea Nurse', subject: `pro-${randomUUID()}` }),
    expect: only({ admin: 201 }),
  },
  'POST /v1/centres': { method: 'POST', url: '/v1/centres', body: () => ({ name: 'Ohjaamo Turku', municipality: 'Turku' }), expect: only({ admin: 201 }) },
  'GET /v1/centres': { method: 'GET', url: '/v1/centres', expect: only({ admin: 200, professional: 200 }) },
  'POST /v1/partner-clients': {
    method: 'POST',
    url: '/v1/partner-clients',
    body: (c) => ({ name: 'School system', agencyId: c.world.agencyB.id, scopes: ['stats:read'] }),
    expect: only({ admin: 201 }),
  },
  'GET /v1/partner-clients': { method: 'GET', url: '/v1/partner-clients', expect: only({ admin: 200 }) },
  'GET /v1/audit/head': { method: 'GET', url: '/v1/audit/head', expect: only({ auditor: 200 }) },
  'GET /v1/audit/verify': { method: 'GET', url: '/v1/audit/verify', expect: only({ auditor: 200 }) },
  'GET /v1/audit/events': { method: 'GET', url: '/v1/audit/events', expect: only({ auditor: 200 }) },
  'POST /v1/visits': {
    method: 'POST',
    url: '/v1/visits',
    body: (c) => ({ date: new Date().toISOString().slice(0, 10), centreId: c.centreId, channel: 'walk_in', ageBand: '18_24', topics: ['housing'] }),
    expect: only({ professional: 201, partnerStatsVisits: 201 }),
  },
  'GET /v1/stats/visits': { method: 'GET', url: `/v1/stats/visits?${months}`, expect: only({ admin: 200, professional: 200, partnerStatsVisits: 200 }) },
  'GET /v1/stats/pathways': { method: 'GET', url: '/v1/stats/pathways', expect: only({ admin: 200, professional: 200, partnerStatsVisits: 200 }) },
  'POST /v1/webhooks': {
    method: 'POST',
    url: '/v1/webhooks',
    body: () => ({ url: 'https://partner.example/hooks', events: ['referral.created'] }),
    expect: only({ partnerStatsVisits: 201, partnerPathway: 201 }),
  },
  'GET /v1/webhooks': { method: 'GET', url: '/v1/webhooks', expect: only({ partnerStatsVisits: 200, partnerPathway: 200 }) },
  // Intake starts a young person's record: professionals only, whatever else a caller may do.
  'POST /v1/young-persons': {
    method: 'POST',
    url: '/v1/young-persons',
    body: (c) => ({
      givenName: 'Eeva',
      familyName: 'Esimerkki',
      birthDate: '2006-02-03',
      consent: { grantee: { professionalId: c.world.direct.id }, categories: ['identity'], actions: ['read'], purpose: 'Walk-in guidance', evidence: 'FORM-ROLES-1' },
    }),
    expect: only({ professional: 201 }),
  },
}

t.test('routes without a young person in the path: who may call them', async (t) => {
  const app = await build(t)
  const world = await buildWorld(app)
  const ctx: Ctx = { world, centreId: (await createCentre(app, world.admin)).id }
  for (const [name, route] of Object.entries(ROUTES)) {
    const observed: Record<string, number> = {}
    for (const [kind, caller] of Object.entries(CALLERS)) {
      const res = await app.inject({ method: route.method, url: route.url, headers: caller(world).headers, payload: route.body?.(ctx) })
      observed[kind] = res.statusCode
      // A refusal by role says so, with the problem document every 403 has.
      if (res.statusCode === 403) t.equal(res.json().status, 403, `${name} as ${kind}: problem+json`)
    }
    t.same(observed, route.expect, name)
  }
})
