// Schemas shared by every route: ids, problem+json, list envelopes, response sets.
import { type TSchema, Type } from 'typebox'
import { DATA_CATEGORIES } from '../config.js'

export const Uuid = (description: string) => Type.String({ format: 'uuid', description })
/** A timestamp: handlers may return a Date, it is serialised as ISO 8601. */
export const Timestamp = (description: string) =>
  Type.Unsafe<Date | string>({ type: 'string', format: 'date-time', description })
export const DateOnly = (description: string) => Type.String({ format: 'date', description })
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const Category = Type.Enum([...DATA_CATEGORIES], { description: 'A data category (consent scope)' })

/** The answer to a caller who may no longer read a record (their consent ended): ids and status only. */
export const IdsAndStatus = Type.Object(
  {
    id: Uuid('The record id'),
    status: Type.Optional(Type.String({ description: 'Its status, for records that have one' })),
  },
  { additionalProperties: false, description: 'Ids and status only: the caller no longer has consent to read the record' },
)

/** A record, or only its ids and status when the caller may no longer read it. */
export const OrIdsAndStatus = <T extends TSchema>(schema: T) => Type.Union([schema, IdsAndStatus])

export const IdParams = Type.Object({ id: Uuid('The record id') }, { additionalProperties: false })

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'A URI identifying the problem type' }),
    title: Type.String({ description: 'Short summary of the problem type' }),
    status: Type.Integer({ description: 'The HTTP status code' }),
    detail: Type.String({ description: 'What went wrong, for a person to read' }),
    instance: Type.Optional(Type.String({ description: 'The path of the request' })),
    code: Type.String({ description: 'Stable machine-readable error code, e.g. POLKU_NOT_FOUND' }),
    requestId: Type.String({ description: 'The request id, also in the X-Request-Id header' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: 'Where the invalid value is, e.g. body.consent.purpose' }),
          message: Type.String({ description: 'What is wrong with it' }),
        }),
        { description: 'The fields that failed validation' },
      ),
    ),
  },
  { description: 'An RFC 9457 problem document' },
)

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is malformed or fails validation',
  401: 'No valid bearer token',
  403: 'The caller may not use this operation',
  404: 'Not found, or not visible to the caller',
  409: 'Conflicts with the current state',
  412: 'The If-Match version is stale',
  413: 'The body is larger than 1 MiB',
  415: 'The content type is not supported',
  422: 'The request is well-formed but cannot be carried out',
  428: 'An If-Match header is required',
  429: 'Too many requests; see Retry-After',
  503: 'The database is unavailable; see Retry-After',
}

const COMMON_ERRORS = [400, 401, 429, 503] as const

/** The response map of a route: its success response plus problem+json for the listed and common errors. */
export function responses<S extends Record<number, TSchema>>(success: S, ...errors: number[]): S {
  const map: Record<number, TSchema> = { ...success }
  for (const status of new Set([...COMMON_ERRORS, ...errors])) {
    map[status] = Type.Unsafe({ ...Problem, description: PROBLEM_DESCRIPTIONS[status] ?? 'Error' })
  }
  return map as S
}

/** `{ items, nextCursor }`: the envelope of every list. */
export const ListOf = <T extends TSchema>(item: T, description: string) =>
  Type.Object(
    {
      items: Type.Array(item, { description }),
      nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` to get the next page; null on the last page' })),
    },
    { additionalProperties: false },
  )

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50, description: 'Page size, at most 100' })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'The nextCursor of the previous page' })),
}
