// Schemas of the pathway, its goals and their steps.
import { Type } from 'typebox'
import { Category, DateOnly, Nullable, Timestamp, Uuid } from '../../http/schemas.js'
import { Closure, Retention } from '../retention/retention.schemas.js'

export const PathwayStatus = Type.Enum(['active', 'paused', 'closed'], { description: 'active, paused, or closed (a closed pathway is read-only; it is closed and reopened with its own operations)' })
export const GoalStatus = Type.Enum(['open', 'in_progress', 'achieved', 'dropped'], { description: 'Where the goal stands' })
export const StepStatus = Type.Enum(['open', 'in_progress', 'done', 'dropped'], { description: 'Where the step stands' })

const Title = (description: string) => Type.String({ minLength: 1, maxLength: 500, description })
const Summary = Type.String({ maxLength: 10000, description: 'A short account of the pathway, in plain words' })
const Version = Type.Integer({ minimum: 0, description: 'Increases by one on every change' })
const Etag = Type.String({ description: 'The ETag of this version; send it as If-Match to change the record' })

export const YoungPersonParams = Type.Object({ id: Uuid('The young person') }, { additionalProperties: false })

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ maxLength: 100, description: 'The ETag of the version being changed (required: 428 without it, 412 when stale)' })),
})

export const Step = Type.Object(
  {
    id: Uuid('Step id'),
    goalId: Uuid('The goal the step belongs to'),
    youngPersonId: Uuid('The young person'),
    title: Title('What is to be done'),
    owner: Nullable(
      Type.Object(
        { professionalId: Uuid('The professional who owns the step'), name: Type.String({ description: 'Their display name' }) },
        { additionalProperties: false, description: 'Who owns the step; null when nobody does' },
      ),
    ),
    dueDate: Nullable(DateOnly('When it is due')),
    status: StepStatus,
    version: Version,
    etag: Etag,
    createdAt: Timestamp('When the step was made'),
    updatedAt: Timestamp('When the step last changed'),
  },
  { additionalProperties: false },
)

export const Goal = Type.Object(
  {
    id: Uuid('Goal id'),
    youngPersonId: Uuid('The young person'),
    title: Title('The goal, in the young person’s words where possible'),
    category: Nullable(Category),
    status: GoalStatus,
    targetDate: Nullable(DateOnly('When the goal should be reached')),
    createdByProfessionalId: Nullable(Uuid('The professional who set the goal')),
    version: Version,
    etag: Etag,
    createdAt: Timestamp('When the goal was set'),
    updatedAt: Timestamp('When the goal last changed'),
    steps: Type.Array(Step, { description: 'The goal’s steps, oldest first' }),
  },
  { additionalProperties: false },
)

export const Pathway = Type.Object(
  {
    youngPersonId: Uuid('The young person'),
    status: PathwayStatus,
    summary: Summary,
    version: Type.Integer({ minimum: 0, description: '0 until the pathway’s status or summary is first written' }),
    etag: Etag,
    updatedAt: Nullable(Timestamp('When status or summary last changed; null before the first change')),
    goals: Type.Array(Goal, { description: 'The goals the caller may read, oldest first' }),
    closure: Closure,
    retention: Retention,
  },
  { additionalProperties: false },
)

export const PatchPathway = Type.Object(
  { status: Type.Optional(PathwayStatus), summary: Type.Optional(Summary) },
  { additionalProperties: false, minProperties: 1 },
)
export const PutPathway = Type.Object({ status: PathwayStatus, summary: Summary }, { additionalProperties: false })

export const CreateGoal = Type.Object(
  {
    title: Title('The goal'),
    category: Type.Optional(Category),
    status: Type.Optional(GoalStatus),
    targetDate: Type.Optional(DateOnly('When the goal should be reached')),
  },
  { additionalProperties: false },
)

export const PatchGoal = Type.Object(
  {
    title: Type.Optional(Title('The goal')),
    category: Type.Optional(Nullable(Category)),
    status: Type.Optional(GoalStatus),
    targetDate: Type.Optional(Nullable(DateOnly('When the goal should be reached'))),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const CreateStep = Type.Object(
  {
    title: Title('What is to be done'),
    ownerProfessionalId: Type.Optional(Uuid('A professional on the young person’s team who owns the step')),
    dueDate: Type.Optional(DateOnly('When it is due')),
    status: Type.Optional(StepStatus),
  },
  { additionalProperties: false },
)

export const PatchStep = Type.Object(
  {
    title: Type.Optional(Title('What is to be done')),
    ownerProfessionalId: Type.Optional(Nullable(Uuid('A professional on the young person’s team; null for nobody'))),
    dueDate: Type.Optional(Nullable(DateOnly('When it is due'))),
    status: Type.Optional(StepStatus),
  },
  { additionalProperties: false, minProperties: 1 },
)
