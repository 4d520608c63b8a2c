// Schemas of consents, consent requests and consent receipts.
import { Type } from 'typebox'
import { Category, ListOf, Nullable, PageQuery, Timestamp, Uuid } from '../../http/schemas.js'
import { Role } from '../registry/registry.schemas.js'

export const ConsentAction = Type.Enum(['read', 'write'], { description: 'What the grantee may do with the data' })
export const ConsentStatus = Type.Enum(['active', 'expired', 'revoked', 'superseded'], {
  description: 'Derived when read: revoked and superseded consents never come back; expired ones passed validUntil',
})

export const Grantee = Type.Union(
  [
    Type.Object({ professionalId: Uuid('One professional') }, { additionalProperties: false }),
    Type.Object(
      {
        agencyId: Uuid('An agency: all its professionals, or only those with `role`'),
        role: Type.Optional(Role),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'Who receives access: one professional, or an agency (optionally one role within it)' },
)

/** Who recorded an act on a consent, shown to the young person. */
export const RecordedBy = (description: string) =>
  Type.Object(
    {
      kind: Type.Enum(['young_person', 'professional'], { description: 'The young person themselves, or a professional on their behalf' }),
      professionalId: Nullable(Uuid('The professional who recorded it; null when the young person did')),
      name: Nullable(Type.String({ description: 'Their name; null when the young person did' })),
    },
    { additionalProperties: false, description },
  )

const Categories = Type.Array(Category, {
  minItems: 1,
  uniqueItems: true,
  description: 'Data categories covered; health and psychological are special categories and only ever granted by name',
})
const Actions = Type.Array(ConsentAction, { minItems: 1, uniqueItems: true, description: 'read and/or write' })
const Purpose = Type.String({ minLength: 3, maxLength: 1000, description: 'Why the data is shared, in plain words' })
const Evidence = Type.String({ minLength: 1, maxLength: 200, description: 'Reference to the evidence, e.g. the signed form number' })

export const GrantConsent = Type.Object(
  {
    grantee: Grantee,
    categories: Categories,
    actions: Actions,
    purpose: Purpose,
    validUntil: Type.Optional(Timestamp('End of validity; default and maximum are configured (12 months by default)')),
    evidence: Type.Optional(Evidence),
    supersedes: Type.Optional(Uuid('A consent this one replaces (to narrow or extend it); the old one ends now')),
  },
  { additionalProperties: false },
)

export const IntakeConsent = Type.Object(
  {
    grantee: Grantee,
    categories: Categories,
    actions: Actions,
    purpose: Purpose,
    validUntil: Type.Optional(Timestamp('End of validity')),
    evidence: Evidence,
  },
  { additionalProperties: false, description: 'The first consent, given in person at intake' },
)

export const Receipt = Type.Object(
  {
    schema: Type.Literal('ISO/IEC TS 27560:2023', { description: 'The consent record structure followed' }),
    recordId: Uuid('The consent id'),
    dataSubject: Type.Object({ id: Uuid('The young person') }, { additionalProperties: false, description: 'Whose data' }),
    controller: Type.Object({ name: Type.String({ description: 'Who is responsible for the processing' }) }, { additionalProperties: false, description: 'The controller' }),
    recipient: Type.Object(
      {
        type: Type.Enum(['professional', 'agency'], { description: 'One professional or an agency' }),
        id: Uuid('Professional or agency id'),
        name: Type.String({ description: 'Who receives access' }),
        role: Nullable(Type.String({ description: 'Role within the agency, if narrowed' })),
      },
      { additionalProperties: false, description: 'Who receives access' },
    ),
    purpose: Type.String({ description: 'The purpose in plain words' }),
    categories: Type.Array(Type.String(), { description: 'Data categories' }),
    specialCategories: Type.Array(Type.String(), { description: 'GDPR art. 9 categories included, named explicitly' }),
    actions: Type.Array(Type.String(), { description: 'Processing allowed: read, write' }),
    method: Type.Enum(['digital', 'in_person'], { description: 'How consent was given' }),
    evidence: Nullable(Type.String({ description: 'Evidence reference' })),
    recordedBy: RecordedBy('Who recorded the consent: the young person (digital), or the professional who recorded it in person'),
    validFrom: Timestamp('Start of validity'),
    validUntil: Timestamp('End of validity'),
    createdAt: Timestamp('When the record was made'),
    withdrawal: Type.String({ description: 'How to withdraw, at any time' }),
    plainLanguage: Type.String({ description: 'The whole consent in one plain-language paragraph' }),
  },
  { additionalProperties: false, description: 'A machine-readable consent receipt' },
)

export const Consent = Type.Object(
  {
    id: Uuid('Consent id'),
    youngPersonId: Uuid('Whose data'),
    grantee: Type.Object(
      {
        professionalId: Nullable(Uuid('The professional, when granted to one person')),
        agencyId: Nullable(Uuid('The agency, when granted to an agency')),
        role: Nullable(Type.String({ description: 'Role within the agency, if narrowed' })),
        name: Type.String({ description: 'Name of the professional or agency' }),
      },
      { additionalProperties: false, description: 'Who receives access' },
    ),
    categories: Type.Array(Type.String(), { description: 'Data categories covered' }),
    actions: Type.Array(Type.String(), { description: 'read and/or write' }),
    purpose: Type.String({ description: 'Purpose in plain words' }),
    method: Type.Enum(['digital', 'in_person'], { description: 'How consent was given' }),
    evidence: Nullable(Type.String({ description: 'Evidence reference for in-person consent' })),
    recordedBy: RecordedBy('Who recorded the consent: the young person (digital), or the professional who recorded it in person'),
    status: ConsentStatus,
    validFrom: Timestamp('Start of validity'),
    validUntil: Timestamp('End of validity'),
    revokedAt: Nullable(Timestamp('When it was withdrawn')),
    revokedBy: Nullable(RecordedBy('Who recorded the withdrawal: the young person, or a professional on their behalf; null while not withdrawn')),
    supersededAt: Nullable(Timestamp('When a newer consent replaced it')),
    supersededById: Nullable(Uuid('The consent that replaced it')),
    createdAt: Timestamp('When it was recorded'),
  },
  { additionalProperties: false },
)

/** The answer to a withdrawal recorded by a professional who may not read the consent itself. */
export const WithdrawnConsent = Type.Object(
  {
    id: Uuid('Consent id'),
    status: Type.Literal('revoked', { description: 'The consent is withdrawn' }),
    revokedAt: Timestamp('When it was withdrawn'),
  },
  { additionalProperties: false, description: 'A withdrawal recorded for a consent the caller may not read: ids and status only' },
)

export const ConsentWithReceipt = Type.Object({ ...Consent.properties, receipt: Receipt }, { additionalProperties: false })
export const ConsentList = ListOf(Consent, 'Consents, newest first')

export const RevokeConsent = Type.Object({}, { additionalProperties: false, description: 'No reason is needed to withdraw consent' })

export const RequestConsent = Type.Object(
  { grantee: Grantee, categories: Categories, actions: Actions, purpose: Purpose },
  { additionalProperties: false },
)

export const ConsentRequest = Type.Object(
  {
    id: Uuid('Request id'),
    youngPersonId: Uuid('Whom it asks'),
    requestedBy: Type.Object(
      { professionalId: Uuid('Who asked'), name: Type.String({ description: 'Their name' }) },
      { additionalProperties: false, description: 'The professional who asked' },
    ),
    grantee: Consent.properties.grantee,
    categories: Type.Array(Type.String(), { description: 'Categories asked for' }),
    actions: Type.Array(Type.String(), { description: 'Actions asked for' }),
    purpose: Type.String({ description: 'Purpose in plain words' }),
    status: Type.Enum(['pending', 'approved', 'declined', 'expired'], { description: 'Pending until the young person decides or it expires' }),
    expiresAt: Timestamp('When an undecided request lapses'),
    decidedAt: Nullable(Timestamp('When the young person decided')),
    consentId: Nullable(Uuid('The consent created on approval')),
    createdAt: Timestamp('When it was asked'),
  },
  { additionalProperties: false },
)
export const ConsentRequestList = ListOf(ConsentRequest, 'Consent requests, newest first')

export const ApproveRequest = Type.Object(
  { validUntil: Type.Optional(Timestamp('End of validity of the consent created')) },
  { additionalProperties: false },
)

export const ListQuery = Type.Object(PageQuery, { additionalProperties: false })
