// Matrix operations on closing, legal holds, erasure requests and review items: who may close a
// pathway and reopen it, and which of these routes are open to a whole kind of caller only.
import type { FastifyInstance } from 'fastify'
import { type Ctx, everywhere, NONE, type Operation, type Outcome, selves, youngPersonsOnly } from './matrix.model.js'
import type { Caller } from './world.js'

/** A role's own route: open to one kind of caller, 403 to every other before anything is read. */
const auditorsOnly = { auditor: 200 } as const

/** Refusing keeps every record as it is (a grant would erase them at once, under the cell's other operations). */
const REFUSAL = { decision: 'refuse', ground: 'legal_claims', reason: 'The records are needed for a pending legal claim' }

async function call(app: FastifyInstance, who: Caller, method: 'GET' | 'POST', url: string, payload?: object) {
  const res = await app.inject({ method, url, headers: who.headers, payload })
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
  return res.json()
}

/** The newest erasure request of a young person (their own list), or undefined. */
const newestErasureRequest = async (app: FastifyInstance, who: Caller): Promise<{ id: string; status: string } | undefined> =>
  (await call(app, who, 'GET', '/v1/me/erasure-requests?limit=1')).items[0]

/** An event of the cell's young person's access log: an access by someone else (the intake worker, at least). */
async function accessLogEvent(app: FastifyInstance, c: Ctx): Promise<string> {
  return (await call(app, c.self, 'GET', '/v1/me/access-log?limit=1')).items[0].id
}

export const RETENTION_OPERATIONS: Record<string, Operation> = {
  'GET /v1/young-persons/{id}/legal-holds': {
    method: 'GET',
    url: (c) => `/v1/young-persons/${c.youngPersonId}/legal-holds`,
    byKind: auditorsOnly,
    expect: everywhere<Outcome>(403),
  },
  'GET /v1/erasure-requests': { method: 'GET', url: () => '/v1/erasure-requests', byKind: auditorsOnly, expect: everywhere<Outcome>(403) },
  'GET /v1/audit/review-items': { method: 'GET', url: () => '/v1/audit/review-items', byKind: auditorsOnly, expect: everywhere<Outcome>(403) },
  'GET /v1/me/erasure-requests': { method: 'GET', url: () => '/v1/me/erasure-requests', byKind: youngPersonsOnly, expect: everywhere<Outcome>(200) },
  'GET /v1/me/review-items': { method: 'GET', url: () => '/v1/me/review-items', byKind: youngPersonsOnly, expect: everywhere<Outcome>(200) },
  'POST /v1/me/erasure-requests': {
    method: 'POST',
    url: () => '/v1/me/erasure-requests',
    body: () => ({ categories: ['pathway'] }),
    // One request may wait per young person: the one the other young person left waiting in an earlier cell is refused first.
    prepare: async (app, c) => {
      const other = c.world.otherYoungPerson
      const waiting = await newestErasureRequest(app, other)
      if (waiting?.status === 'pending') await call(app, c.world.auditor, 'POST', `/v1/erasure-requests/${waiting.id}/decision`, REFUSAL)
      return {}
    },
    observe: (res, c) => (res.statusCode === 201 ? (res.json().youngPersonId === c.youngPersonId ? 'theirs' : 'another') : res.statusCode),
    // Asked with the young person's own token, about their own record alone: no id to name anyone else's.
    byKind: youngPersonsOnly,
    expect: everywhere<Outcome>('another', selves('theirs')),
  },
  'POST /v1/erasure-requests/{id}/decision': {
    method: 'POST',
    url: (c) => `/v1/erasure-requests/${c.erasureRequestId}/decision`,
    body: () => REFUSAL,
    // The cell's young person's waiting request: the one they asked for above, or one they ask for now.
    prepare: async (app, c) => {
      const waiting = await newestErasureRequest(app, c.self)
      if (waiting?.status === 'pending') return { erasureRequestId: waiting.id }
      return { erasureRequestId: (await call(app, c.self, 'POST', '/v1/me/erasure-requests', {})).id }
    },
    // The data protection officer decides; consent to the young person's data gives no say in it.
    byKind: auditorsOnly,
    expect: everywhere<Outcome>(403),
  },
  'POST /v1/young-persons/{id}/legal-holds': {
    method: 'POST',
    url: (c) => `/v1/young-persons/${c.youngPersonId}/legal-holds`,
    body: () => ({ reason: 'Records needed for a court case' }),
    byKind: { auditor: 201 },
    expect: everywhere<Outcome>(403),
  },
  'POST /v1/legal-holds/{id}/lift': {
    method: 'POST',
    url: (c) => `/v1/legal-holds/${c.legalHoldId}/lift`,
    body: () => ({ reason: 'The court case has ended' }),
    // A hold the data protection officer sets on the cell's young person just before.
    prepare: async (app, c) => ({
      legalHoldId: (await call(app, c.world.auditor, 'POST', `/v1/young-persons/${c.youngPersonId}/legal-holds`, { reason: 'Records needed for a court case' })).id,
    }),
    byKind: auditorsOnly,
    expect: everywhere<Outcome>(403),
  },
  'POST /v1/me/review-items': {
    method: 'POST',
    url: () => '/v1/me/review-items',
    body: (c) => ({ auditEventId: c.auditEventId, question: 'Why was my record read that day?' }),
    prepare: async (app, c) => ({ auditEventId: await accessLogEvent(app, c) }),
    byKind: youngPersonsOnly,
    // The event is in the cell's young person's access log: another young person cannot tell it exists.
    expect: everywhere<Outcome>(NONE, selves(201)),
  },
  'POST /v1/audit/review-items/{id}/answer': {
    method: 'POST',
    url: (c) => `/v1/audit/review-items/${c.reviewItemId}/answer`,
    body: () => ({ answer: 'Your counsellor read it to prepare your meeting.' }),
    // An open question the cell's young person asks just before.
    prepare: async (app, c) => ({
      reviewItemId: (await call(app, c.self, 'POST', '/v1/me/review-items', { auditEventId: await accessLogEvent(app, c), question: 'Who was this?' })).id,
    }),
    byKind: auditorsOnly,
    expect: everywhere<Outcome>(403),
  },
  // Closing runs after every other operation that leaves access as it was (it makes the pathway read-only).
  'POST /v1/young-persons/{id}/pathway/close': {
    method: 'POST',
    url: (c) => `/v1/young-persons/${c.youngPersonId}/pathway/close`,
    body: () => ({ reason: 'goals_reached' }),
    // A professional under `pathway` write consent, or the young person themselves whatever their
    // consents; never a partner system, even one that may write the pathway. 403 only where the caller
    // already sees the young person.
    expect: everywhere<Outcome>(403, { none: NONE, holder: 200, ...selves(200) }),
  },
  // Right after the closing: a professional's consent predates it, so only the young person reopens.
  'POST /v1/young-persons/{id}/pathway/reopen': {
    method: 'POST',
    url: (c) => `/v1/young-persons/${c.youngPersonId}/pathway/reopen`,
    body: () => ({}),
    expect: everywhere<Outcome>(403, { none: NONE, ...selves(200) }),
  },
}
