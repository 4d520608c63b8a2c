// The authorization matrix as data: callers × consent states give an access profile; each operation maps profiles to outcomes.
import {
  allPartners,
  type CallerRow,
  type ConsentState,
  everywhere,
  holders,
  listedIn,
  NONE,
  type Operation,
  type Outcome,
  type Profile,
  selves,
  when200,
} from './matrix.model.js'
import { OWN_OPERATIONS } from './matrix.own.js'
import { PATHWAY_OPERATIONS } from './matrix.pathway.js'
import { RETENTION_OPERATIONS } from './matrix.retention.js'
import { NARROWED_ROLE, type World } from './world.js'

export type { CallerRow, ConsentState, Ctx, Operation, Outcome, Profile } from './matrix.model.js'
export { PROFILES } from './matrix.model.js'

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

const CONSENT_OPERATIONS: Record<string, Operation> = {
  'GET /v1/young-persons/{id}': {
    method: 'GET',
    url: (c) => `/v1/young-persons/${c.youngPersonId}`,
    expect: everywhere<Outcome>(200, { none: NONE }),
  },
  'GET /v1/young-persons/{id} identity fields': {
    method: 'GET',
    url: (c) => `/v1/young-persons/${c.youngPersonId}`,
    observe: (res) => (res.statusCode !== 200 ? res.statusCode : 'givenName' in res.json() ? 'identity' : 'no-identity'),
    expect: everywhere<Outcome>('identity', { none: NONE, holderOtherCategory: 'no-identity', ...allPartners('no-identity') }),
  },
  'GET /v1/young-persons/{id}/consents': {
    method: 'GET',
    url: (c) => `/v1/young-persons/${c.youngPersonId}/consents?limit=100`,
    observe: when200((body, c) => listedIn(body.items, c.consentId)),
    expect: everywhere<Outcome>('listed', { none: NONE, ...allPartners('absent') }),
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
    observe: when200((body, c) => listedIn(body.items, c.youngPersonId)),
    // The caseload is for professionals and partner systems; a young person reads their own record at /v1/me.
    byKind: { youngPerson: 403, admin: 403, auditor: 403 },
    expect: everywhere<Outcome>('listed', { none: 'absent' }),
  },
  'GET /v1/young-persons/{id}/notes shows the pathway note': {
    method: 'GET',
    url: (c) => `/v1/young-persons/${c.youngPersonId}/notes?limit=100`,
    observe: when200((body, c) => listedIn(body.items, c.noteId)),
    // Everyone who sees the young person may list; notes outside their categories are not there (partners read none).
    expect: everywhere<Outcome>('listed', { none: NONE, holderOtherCategory: 'absent', ...allPartners('absent') }),
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

export const OPERATIONS: Record<string, Operation> = { ...CONSENT_OPERATIONS, ...PATHWAY_OPERATIONS, ...OWN_OPERATIONS, ...RETENTION_OPERATIONS }

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
const asPartnerWriter: Record<ConsentState, Profile> = {
  ...allNone,
  active: 'partnerWriter',
  otherCategory: 'partnerWriterOtherCategory',
  readOnly: 'partnerWriterReadOnly',
}
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
  'professional, direct grantee': { kind: 'professional', caller: (w) => w.direct, grantee: (w) => ({ professionalId: w.direct.id }), profiles: asHolder },
  'professional, same agency, agency consent': { kind: 'professional', caller: (w) => w.agencyPro, grantee: toAgency, profiles: asHolder },
  'professional, same agency, the role the consent is narrowed to': {
    kind: 'professional',
    caller: (w) => w.roleMatch,
    grantee: (w) => ({ agencyId: w.agencyA.id, role: NARROWED_ROLE }),
    profiles: asHolder,
  },
  'professional, same agency, another role than the narrowed consent': {
    kind: 'professional',
    caller: (w) => w.otherRole,
    grantee: (w) => ({ agencyId: w.agencyA.id, role: NARROWED_ROLE }),
    profiles: allNone,
  },
  'professional, other agency (same role)': { kind: 'professional', caller: (w) => w.otherAgency, grantee: toAgency, profiles: allNone },
  admin: { kind: 'admin', caller: (w) => w.admin, grantee: toAgency, profiles: allNone },
  auditor: { kind: 'auditor', caller: (w) => w.auditor, grantee: toAgency, profiles: allNone },
  'partner of the grantee agency with pathway:read': { kind: 'partner', caller: (w) => w.partnerRead, grantee: toAgency, profiles: asPartner },
  'partner of the grantee agency with pathway and referrals read+write': { kind: 'partner', caller: (w) => w.partnerWrite, grantee: toAgency, profiles: asPartnerWriter },
  'partner of another agency with pathway:read': { kind: 'partner', caller: (w) => w.partnerOtherAgency, grantee: toAgency, profiles: allNone },
  'partner of the grantee agency without a personal-data scope': { kind: 'partner', caller: (w) => w.partnerNoScope, grantee: toAgency, profiles: allNone },
  'partner, agency consent narrowed to a role': {
    kind: 'partner',
    caller: (w) => w.partnerRead,
    grantee: (w) => ({ agencyId: w.agencyA.id, role: NARROWED_ROLE }),
    profiles: allNone,
  },
  'young person, self': { kind: 'youngPerson', caller: (_w, self) => self, grantee: (w) => ({ professionalId: w.direct.id }), profiles: asSelf },
  'young person, another one': { kind: 'youngPerson', caller: (w) => w.otherYoungPerson, grantee: (w) => ({ professionalId: w.direct.id }), profiles: allNone },
}
