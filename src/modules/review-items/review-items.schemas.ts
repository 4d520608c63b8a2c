// Schemas of review items ("Question this" on the access log).
import { Type } from 'typebox'
import { DateOnly, ListOf, Nullable, PageQuery, Timestamp, Uuid } from '../../http/schemas.js'

export const ReviewItem = Type.Object(
  {
    id: Uuid('Review item id'),
    auditEventId: Uuid('The access-log event the question was raised from'),
    day: DateOnly('The day of the questioned accesses (Finnish time)'),
    actor: Type.Object(
      {
        kind: Type.String({ description: 'professional, partner, auditor, …' }),
        role: Nullable(Type.String({ description: 'Role of who looked' })),
        name: Nullable(Type.String({ description: 'Name of who looked' })),
        agencyName: Nullable(Type.String({ description: 'Agency of who looked' })),
      },
      { additionalProperties: false, description: 'Whose accesses are questioned' },
    ),
    question: Type.String({ description: "The young person's own words" }),
    answer: Nullable(Type.String({ description: "The data protection officer's answer" })),
    answeredAt: Nullable(Timestamp('When it was answered')),
    createdAt: Timestamp('When the question was asked'),
  },
  { additionalProperties: false },
)

export const ReviewItemList = ListOf(ReviewItem, 'Review items, newest first')

export const AskQuestion = Type.Object(
  {
    auditEventId: Uuid('An event of your access log; the question covers that person on that day'),
    question: Type.String({ minLength: 1, maxLength: 2000, description: 'What you want to know, in your own words' }),
  },
  { additionalProperties: false },
)

export const Answer = Type.Object(
  { answer: Type.String({ minLength: 1, maxLength: 4000, description: 'The answer the young person will read' }) },
  { additionalProperties: false },
)

export const ReviewItemQuery = Type.Object(
  { ...PageQuery, status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('answered')], { description: 'Only open or only answered items' })) },
  { additionalProperties: false },
)

export const OwnListQuery = Type.Object({ ...PageQuery }, { additionalProperties: false })
