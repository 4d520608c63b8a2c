// Schemas of closing, the deletion date, erasure requests, legal holds and erasure notices.
import { Type } from 'typebox'
import { ERASURE_GROUNDS } from '../../db/schema/retention.js'
import { Category, DateOnly, ListOf, Nullable, PageQuery, Timestamp, Uuid } from '../../http/schemas.js'

export const CLOSE_REASONS = ['goals_reached', 'moved_away', 'no_longer_wants_support', 'other'] as const
export const CloseReason = Type.Enum([...CLOSE_REASONS], { description: 'Why the pathway was closed' })

export const ClosePathway = Type.Object({ reason: CloseReason }, { additionalProperties: false })
export const ReopenPathway = Type.Object({}, { additionalProperties: false })

export const Retention = Type.Object(
  {
    deletionDate: Nullable(DateOnly('When the record becomes a tombstone; null while the pathway is open under an active consent')),
    startsFrom: Nullable(Timestamp('The later of the pathway’s closing and the end of the last consent')),
    categories: Type.Array(
      Type.Object(
        {
          category: Category,
          deletionDate: Nullable(DateOnly('When data of this category is erased')),
          erasedAt: Nullable(Timestamp('When it was erased')),
        },
        { additionalProperties: false },
      ),
      { description: 'The deletion date of each data category, by the configured retention rules' },
    ),
    legalHold: Type.Boolean({ description: 'A legal hold stops retention and erasure until it is lifted' }),
    erasedAt: Nullable(Timestamp('When the record was erased')),
  },
  { additionalProperties: false, description: 'How long the data is kept' },
)

export const Closure = Nullable(
  Type.Object(
    { closedAt: Timestamp('When the pathway was closed'), reason: CloseReason },
    { additionalProperties: false, description: 'Set while the pathway is closed' },
  ),
)

export const ErasureGround = Type.Enum([...ERASURE_GROUNDS], { description: 'The GDPR art. 17(3) ground for keeping data' })
export const ErasureStatus = Type.Enum(['pending', 'granted', 'granted_in_part', 'refused'], { description: 'Where the request stands' })

export const ErasureRequest = Type.Object(
  {
    id: Uuid('Erasure request id'),
    youngPersonId: Uuid('The young person'),
    categories: Nullable(Type.Array(Category, { description: 'The categories asked for; null for everything' })),
    status: ErasureStatus,
    requestedAt: Timestamp('When it was asked for'),
    decidedAt: Nullable(Timestamp('When it was decided')),
    grantedCategories: Nullable(Type.Array(Category, { description: 'The categories erased when granted in part' })),
    ground: Nullable(ErasureGround),
    reason: Nullable(Type.String({ description: 'The data protection officer’s reason for refusing (or refusing in part)' })),
  },
  { additionalProperties: false },
)
export const ErasureRequestList = ListOf(ErasureRequest, 'Erasure requests, newest first')

export const CreateErasureRequest = Type.Object(
  { categories: Type.Optional(Type.Array(Category, { minItems: 1, uniqueItems: true, description: 'Only these categories; everything when left out' })) },
  { additionalProperties: false },
)

const Reason = Type.String({ minLength: 1, maxLength: 2000, description: 'Why, in words the young person can read' })
export const ErasureDecision = Type.Union(
  [
    Type.Object({ decision: Type.Literal('grant') }, { additionalProperties: false }),
    Type.Object({ decision: Type.Literal('refuse'), ground: ErasureGround, reason: Reason }, { additionalProperties: false }),
    Type.Object(
      {
        decision: Type.Literal('grant_in_part'),
        categories: Type.Array(Category, { minItems: 1, uniqueItems: true, description: 'The categories to erase now' }),
        ground: ErasureGround,
        reason: Reason,
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'Grant (erasure runs at once), refuse with an art. 17(3) ground, or grant in part' },
)

export const ErasureQuery = Type.Object({ ...PageQuery, status: Type.Optional(ErasureStatus) }, { additionalProperties: false })

export const LegalHold = Type.Object(
  {
    id: Uuid('Legal hold id'),
    youngPersonId: Uuid('The young person'),
    reason: Type.String({ description: 'Why the data must be kept' }),
    setAt: Timestamp('When it was set'),
    liftedAt: Nullable(Timestamp('When it was lifted')),
    liftReason: Nullable(Type.String({ description: 'Why it was lifted' })),
  },
  { additionalProperties: false },
)
export const LegalHoldList = ListOf(LegalHold, 'Legal holds, newest first')
export const LegalHoldBody = Type.Object({ reason: Reason }, { additionalProperties: false })

export const ErasureNotice = Type.Object(
  {
    eventId: Uuid('The personal_data.erased event'),
    youngPersonId: Uuid('The erased young person'),
    partnerClientId: Uuid('The partner system told to forget'),
    endpointId: Uuid('Its webhook endpoint'),
    status: Type.Enum(['pending', 'delivered', 'dead'], { description: 'delivered: the partner acknowledged with a 2xx' }),
    attempts: Type.Integer({ description: 'Delivery attempts so far' }),
    createdAt: Timestamp('When the notice was queued'),
    acknowledgedAt: Nullable(Timestamp('When the partner acknowledged it')),
  },
  { additionalProperties: false },
)
export const ErasureNoticeList = ListOf(ErasureNotice, 'Erasure notices to partners, newest first')
export const ErasureNoticeQuery = Type.Object(
  { ...PageQuery, unacknowledged: Type.Optional(Type.Boolean({ description: 'Only notices no partner has acknowledged yet' })) },
  { additionalProperties: false },
)

export const Tombstone = Type.Object(
  {
    recordId: Uuid('The erased record'),
    kind: Type.Enum(['young_person', 'note', 'goal', 'step', 'referral', 'consent', 'consent_request', 'pathway'], { description: 'What the record was' }),
    category: Nullable(Category),
    createdAt: Timestamp('When the record was made'),
    erasedAt: Timestamp('When its content was erased'),
    cause: Type.Enum(['retention', 'erasure_request'], { description: 'The retention period ran out, or an erasure request was granted' }),
  },
  { additionalProperties: false },
)
