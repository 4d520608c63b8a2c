// Matrix operations on closing, legal holds, erasure requests and review items: who may close a
// pathway and reopen it, and which of these routes are open to a whole kind of caller only.
import { everywhere, NONE, type Operation, type Outcome, selves, youngPersonsOnly } from './matrix.model.js'

/** A role's own route: open to one kind of caller, 403 to every other before anything is read. */
const auditorsOnly = { auditor: 200 } as const

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
