// Schemas of young persons: intake, the record (fields per consented category) and the caseload.
import { Type } from 'typebox'
import { DateOnly, Nullable, PageQuery, Timestamp, Uuid } from '../../http/schemas.js'
import { ConsentWithReceipt, IntakeConsent } from '../consents/consents.schemas.js'

const identity = {
  givenName: Type.String({ minLength: 1, maxLength: 200, description: 'Given name (identity category)' }),
  familyName: Type.String({ minLength: 1, maxLength: 200, description: 'Family name (identity category)' }),
  birthDate: DateOnly('Birth date (identity category); the young person must be under the configured age at intake'),
  email: Type.String({ format: 'email', maxLength: 254, description: 'Email address (identity category)' }),
  phone: Type.String({ pattern: '^\\+?[0-9 ()-]{5,20}$', maxLength: 21, examples: ['+358 40 123 4567'], description: 'Phone number (identity category)' }),
}

export const Intake = Type.Object(
  {
    givenName: identity.givenName,
    familyName: identity.familyName,
    birthDate: identity.birthDate,
    email: Type.Optional(identity.email),
    phone: Type.Optional(identity.phone),
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "Login subject of the young person's own account" })),
    consent: Type.Optional(IntakeConsent),
  },
  { additionalProperties: false },
)

/** A young person as one caller sees them: identity fields only under an `identity` read consent. */
export const YoungPerson = Type.Object(
  {
    id: Uuid('Young person id'),
    createdAt: Timestamp('When the record was made'),
    givenName: Type.Optional(identity.givenName),
    familyName: Type.Optional(identity.familyName),
    birthDate: Type.Optional(identity.birthDate),
    email: Type.Optional(Nullable(identity.email)),
    phone: Type.Optional(Nullable(identity.phone)),
    categories: Type.Array(Type.String(), { description: 'Categories the caller may read for this young person' }),
  },
  { additionalProperties: false },
)

export const IntakeResult = Type.Object(
  {
    ...YoungPerson.properties,
    consent: ConsentWithReceipt,
    linkCode: Type.Optional(
      Type.Object(
        {
          code: Type.String({ description: 'One-time code the young person enters on their page to link their sign-in; shown only here' }),
          expiresAt: Timestamp('When the code stops working (14 days)'),
        },
        { additionalProperties: false, description: 'Present when no login subject was given at intake' },
      ),
    ),
  },
  { additionalProperties: false },
)

export const CaseloadItem = Type.Object(
  {
    id: Uuid('Young person id'),
    createdAt: Timestamp('When the record was made'),
    givenName: Nullable(Type.String({ description: 'Given name, when the caller holds identity consent' })),
    familyName: Nullable(Type.String({ description: 'Family name, when the caller holds identity consent' })),
    categories: Type.Array(Type.String(), { description: 'Categories the caller may read' }),
    consentValidUntil: Timestamp('When the last of the caller’s consents for this young person ends'),
  },
  { additionalProperties: false },
)

export const Caseload = Type.Object(
  {
    items: Type.Array(CaseloadItem, { description: 'Young persons who have consented to the caller, newest first' }),
    nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` for the next page; null on the last page' })),
    total: Type.Integer({ description: 'How many young persons the caller may see in all' }),
  },
  { additionalProperties: false },
)

export const CaseloadQuery = Type.Object(PageQuery, { additionalProperties: false })
