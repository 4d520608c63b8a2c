// Schemas of referrals: creating one, the decisions on it, and the referral as a caller sees it.
import { Type } from 'typebox'
import { PROFESSIONAL_ROLES } from '../../db/schema/registry.js'
import { REFERRAL_STATUSES } from '../../db/schema/vocabulary.js'
import { Category, ListOf, Nullable, PageQuery, Timestamp, Uuid } from '../../http/schemas.js'

export const ReferralStatus = Type.Enum([...REFERRAL_STATUSES], {
  description:
    'awaiting_consent until the young person consents to the receiver, then pending; accepted or declined by the receiver; completed with an outcome; withdrawn by the referrer; expired when still open after the configured time',
})

export const CreateReferral = Type.Object(
  {
    youngPersonId: Uuid('The young person referred; the referrer needs pathway write consent for them'),
    toAgencyId: Uuid('The receiving agency'),
    toRole: Type.Optional(Type.Enum([...PROFESSIONAL_ROLES], { description: 'Only professionals with this role in the receiving agency may act on it' })),
    reason: Type.String({ minLength: 3, maxLength: 1000, description: 'Why the young person is referred, in plain words' }),
    categories: Type.Array(Category, {
      minItems: 1,
      uniqueItems: true,
      description: 'The data categories the receiver will need; asked of the young person when they have not yet consented',
    }),
  },
  { additionalProperties: false },
)

export const DeclineReferral = Type.Object(
  { reason: Type.String({ minLength: 3, maxLength: 1000, description: 'Why the receiver declines, reported back to the referrer' }) },
  { additionalProperties: false },
)

export const CompleteReferral = Type.Object(
  { outcome: Type.String({ minLength: 3, maxLength: 2000, description: 'What came of the referral, reported back to the referrer' }) },
  { additionalProperties: false },
)

export const NoBody = Type.Object({}, { additionalProperties: false, description: 'No body is needed' })

export const Referral = Type.Object(
  {
    id: Uuid('Referral id'),
    youngPersonId: Uuid('The young person referred'),
    from: Type.Object(
      {
        professionalId: Uuid('The referring professional'),
        name: Type.String({ description: 'Their name' }),
        agencyId: Uuid('Their agency'),
      },
      { additionalProperties: false, description: 'Who made the referral' },
    ),
    to: Type.Object(
      {
        agencyId: Uuid('The receiving agency'),
        name: Type.String({ description: 'Its name' }),
        role: Nullable(Type.String({ description: 'The role within the agency it is addressed to, if any' })),
      },
      { additionalProperties: false, description: 'Who receives the referral' },
    ),
    reason: Type.String({ description: 'Why the young person is referred' }),
    categories: Type.Array(Type.String(), { description: 'Data categories the receiver will need' }),
    status: ReferralStatus,
    consentRequestId: Nullable(Uuid('The consent request sent to the young person, when one was needed')),
    decisionReason: Nullable(Type.String({ description: 'Why the receiver declined' })),
    outcome: Nullable(Type.String({ description: 'What came of it, reported on completion' })),
    decidedByProfessionalId: Nullable(Uuid('The professional who accepted or declined it')),
    expiresAt: Timestamp('When it expires unless accepted, declined or withdrawn first'),
    createdAt: Timestamp('When it was made'),
    updatedAt: Timestamp('When its status last changed'),
  },
  { additionalProperties: false },
)

export const ReferralList = ListOf(Referral, 'Referrals, newest first')

export const ListQuery = Type.Object(
  {
    ...PageQuery,
    role: Type.Optional(
      Type.Enum(['sent', 'received'], { description: 'sent: those the caller made; received: those addressed to the caller’s agency and role' }),
    ),
    status: Type.Optional(ReferralStatus),
  },
  { additionalProperties: false },
)
