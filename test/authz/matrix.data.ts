// The authorization matrix as data: callers × consent states give an access profile; each operation maps profiles to outcomes.
import type { LightMyRequestResponse } from 'fastify'
import type { Caller, World } from './world.js'
import { NARROWED_ROLE } from './world.js'

/** The state of the consent a row is about, for a fresh young person of every cell. */
export type ConsentState = 'none' | 'active' | 'expired' | 'revoked' | 'superseded' | 'otherYoungPerson' | 'otherCategory' | 'readOnly'

export const CONSENT_STATES: readonly ConsentState[] = ['none', 'active', 'expired', 'revoked', 'superseded', 'otherYoungPerson', 'otherCategory', 'readOnly']

/** What each state's consent covers (`none` grants nothing; ended states start as `active`). */
export const STATE_TERMS: Record<Exclude<ConsentState, 'none'>, { categories: string[]; actions: string[] }> = {
  active: { categories: ['identity', 'pathway'], actions: ['read', 'write'] },
  expired: { categories: ['identity', 'pathway'], actions: ['read', 'write'] },
  revoked: { categories: ['identity', 'pathway'], actions: ['read', 'write'] },
  superseded: { categories: ['identity', 'pathway'], actions: ['read', 'write'] },
  otherYoungPerson: { categories: ['identity', 'pathway'], actions: ['read', 'write'] },
  otherCategory: { categories: ['employment'], actions: ['read', 'write'] },
  readOnly: { categories: ['identity', 'pathway'], actions: ['read'] },
}

/**
 * What a (caller, consent state) pair amounts to. Operations state their outcome per profile, so a new
 * operation is one entry in OPERATIONS and TypeScript insists on an outcome for every profile.
 */
export type Profile =
  | 'none' // no active consent covers the caller for this young person (or the caller can never hold one)
  | 'holder' // professional holding an active read+write consent for identity and pathway
  | 'holderReadOnly' // the same, read only
  | 'holderOtherCategory' // active read+write consent for `employment` only
  | 'partner' // partner system with pathway:read; its agency holds an active read+write identity+pathway consent
  | 'partnerReadOnly'
  | 'partnerOtherCategory'
  | 'self' // the young person; the consent in question is active
  | 'selfEnded' // the young person; the consent in question has ended (expired, revoked, superseded)

/** What a walk of one operation observes: the status, or something finer a status cannot show. */
export type Outcome = number | 'listed' | 'absent' | 'identity' | 'no-identity'

export interface Ctx {
  world: World
  /** The young person of this cell. */
  youngPersonId: string
  /** A consent of this young person: the state's consent, or the intake consent when the state has none for them. */
  consentId: string
}

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  url: (ctx: Ctx) => string
  body?: (ctx: Ctx) => object
  /** Defaults to the status code. */
  observe?: (res: LightMyRequestResponse, ctx: Ctx) => Outcome
  /** Changes what the caller may do afterwards (revoke): run after the others, on a cell of its own when more than one. */
  changesAccess?: boolean
  expect: Record<Profile, Outcome>
}

export interface CallerRow {
  /** Who calls; `self` is the cell's own young person. */
  caller: (world: World, self: Caller) => Caller
  /** To whom the row's consent is granted. */
  grantee: (world: World) => { professionalId: string } | { agencyId: string; role?: string }
  profiles: Record<ConsentState, Profile>
}

const listedIn = (items: { id: string }[], id: string): Outcome => (items.some((i) => i.id === id) ? 'listed' : 'absent')

const NONE = 404
const everywhere = <T>(value: T, overrides: Partial<Record<Profile, T>> = {}): Record<Profile, T> => ({
  none: value,
  holder: value,
  holderReadOnly: value,
  holderOtherCategory: value,
  partner: value,
  partnerReadOnly: value,
  partnerOtherCategory: value,
  self: value,
  selfEnded: value,
  ...overrides,
})
const holders = <T>(value: T) => ({ holder: value, holderReadOnly: value, holderOtherCategory: value })
const partners = <T>(value: T) => ({ partner: value, partnerReadOnly: value, partnerOtherCategory: value })
const selves = <T>(value: T) => ({ self: value, selfEnded: value })

export const OPERATIONS: Record<string, Operation> = {
  'GET /v1/young-persons/{id}': {
    method: 'GET',
    url: (c) => `/v1/young-persons/${c.youngPersonId}`,
    expect: everywhere<Outcome>(200, { none: NONE }),
  },
  'GET /v1/young-persons/{id} identity fields': {
    method: 'GET',
    url: (c) => `/v1/young-persons/${c.youngPersonId}`,
    observe: (res) => (res.statusCode !== 200 ? res.statusCode : 'givenName' in res.json() ? 'identity' : 'no-identity'),
    expect: everywhere<Outcome>('identity', { none: NONE, holderOtherCategory: 'no-identity', ...partners('no-identity') }),
  },
  'GET /v1/young-persons/{id}/consents': {
    method: 'GET',
    url: (c) => `/v1/young-persons/${c.youngPersonId}/consents?limit=100`,
    observe: (res, c) => (res.statusCode !== 200 ? res.statusCode : listedIn(res.json().items, c.consentId)),
    expect: everywhere<Outcome>('listed', { none: NONE, ...partners('absent') }),
  },
  'POST /v1/young-persons/{id}/consents (in person, with evidence)': {
    method: 'POST',
    url: (c) => `/v1/young-persons/${c.youngPersonId}/consents`,
    body: (c) => ({
      grantee: { professionalId: c.world.intaker.id },
      categories: ['education'],
      actions: ['read'],
      purpose: 'Study guidance with the intake worker',
      evidence: 'FORM-MATRIX-1',
    }),
    expect: everywhere<Outcome>(NONE, { ...holders(201), ...selves(201) }),
  },
  'GET /v1/consents/{id}': {
    method: 'GET',
    url: (c) => `/v1/consents/${c.consentId}`,
    expect: everywhere<Outcome>(NONE, { ...holders(200), ...selves(200) }),
  },
  'POST /v1/young-persons/{id}/consent-requests': {
    method: 'POST',
    url: (c) => `/v1/young-persons/${c.youngPersonId}/consent-requests`,
    body: (c) => ({ grantee: { professionalId: c.world.intaker.id }, categories: ['housing'], actions: ['read'], purpose: 'Housing support' }),
    expect: everywhere<Outcome>(NONE, holders(201)),
  },
  'GET /v1/caseload contains the young person': {
    method: 'GET',
    url: () => '/v1/caseload?limit=100',
    observe: (res, c) => (res.statusCode !== 200 ? res.statusCode : listedIn(res.json().items, c.youngPersonId)),
    // A young person's caseload holds their own record only (without names: they hold no consent).
    expect: everywhere<Outcome>('listed', { none: 'absent' }),
  },
  'GET /v1/young-persons/{id}/notes': {
    method: 'GET',
    url: (c) => `/v1/young-persons/${c.youngPersonId}/notes`,
    expect: everywhere<Outcome>(200, { none: NONE }),
  },
  'POST /v1/young-persons/{id}/notes (pathway)': {
    method: 'POST',
    url: (c) => `/v1/young-persons/${c.youngPersonId}/notes`,
    body: () => ({ category: 'pathway', body: 'Agreed next steps' }),
    // 403 only where the caller already sees the young person: it reveals nothing new.
    expect: everywhere<Outcome>(403, { none: NONE, holder: 201 }),
  },
  'POST /v1/young-persons/{id}/notes (health, never implied)': {
    method: 'POST',
    url: (c) => `/v1/young-persons/${c.youngPersonId}/notes`,
    body: () => ({ category: 'health', body: 'Medication' }),
    expect: everywhere<Outcome>(403, { none: NONE }),
  },
  'POST /v1/consents/{id}/revoke': {
    method: 'POST',
    url: (c) => `/v1/consents/${c.consentId}/revoke`,
    body: () => ({}),
    changesAccess: true,
    expect: everywhere<Outcome>(NONE, { ...holders(200), self: 200, selfEnded: 409 }),
  },
}

const allNone: Record<ConsentState, Profile> = {
  none: 'none',
  active: 'none',
  expired: 'none',
  revoked: 'none',
  superseded: 'none',
  otherYoungPerson: 'none',
  otherCategory: 'none',
  readOnly: 'none',
}
const asHolder: Record<ConsentState, Profile> = { ...allNone, active: 'holder', otherCategory: 'holderOtherCategory', readOnly: 'holderReadOnly' }
const asPartner: Record<ConsentState, Profile> = { ...allNone, active: 'partner', otherCategory: 'partnerOtherCategory', readOnly: 'partnerReadOnly' }
const asSelf: Record<ConsentState, Profile> = {
  none: 'self',
  active: 'self',
  expired: 'selfEnded',
  revoked: 'selfEnded',
  superseded: 'selfEnded',
  otherYoungPerson: 'self',
  otherCategory: 'self',
  readOnly: 'self',
}

const toAgency = (w: World) => ({ agencyId: w.agencyA.id })

export const ROWS: Record<string, CallerRow> = {
  'professional, direct grantee': { caller: (w) => w.direct, grantee: (w) => ({ professionalId: w.direct.id }), profiles: asHolder },
  'professional, same agency, agency consent': { caller: (w) => w.agencyPro, grantee: toAgency, profiles: asHolder },
  'professional, same agency, the role the consent is narrowed to': {
    caller: (w) => w.roleMatch,
    grantee: (w) => ({ agencyId: w.agencyA.id, role: NARROWED_ROLE }),
    profiles: asHolder,
  },
  'professional, same agency, another role than the narrowed consent': {
    caller: (w) => w.otherRole,
    grantee: (w) => ({ agencyId: w.agencyA.id, role: NARROWED_ROLE }),
    profiles: allNone,
  },
  'professional, other agency (same role)': { caller: (w) => w.otherAgency, grantee: toAgency, profiles: allNone },
  admin: { caller: (w) => w.admin, grantee: toAgency, profiles: allNone },
  auditor: { caller: (w) => w.auditor, grantee: toAgency, profiles: allNone },
  'partner of the grantee agency with pathway:read': { caller: (w) => w.partnerRead, grantee: toAgency, profiles: asPartner },
  'partner of the grantee agency without a personal-data scope': { caller: (w) => w.partnerNoScope, grantee: toAgency, profiles: allNone },
  'partner, agency consent narrowed to a role': {
    caller: (w) => w.partnerRead,
    grantee: (w) => ({ agencyId: w.agencyA.id, role: NARROWED_ROLE }),
    profiles: allNone,
  },
  'young person, self': { caller: (_w, self) => self, grantee: (w) => ({ professionalId: w.direct.id }), profiles: asSelf },
  'young person, another one': { caller: (w) => w.otherYoungPerson, grantee: (w) => ({ professionalId: w.direct.id }), profiles: allNone },
}
