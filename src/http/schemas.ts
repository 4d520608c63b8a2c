// Schemas shared by every route: ids, problem+json, list envelopes, response sets.
import { type TSchema, Type } from 'typebox'
import { DATA_CATEGORIES } from '../config.js'

export const Uuid = (description: string) => Type.String({ format: 'uuid', description })
/** A timestamp: handlers may return a Date, it is serialised as ISO 8601. */
export const Timestamp = (description: string) =>
  Type.Unsafe<Date | string>({ type: 'string', format: 'date-time', description })
/** A calendar day, YYYY-MM-DD: 2026-02-31 is refused (the `date` format checks the days of each month). */
export const DateOnly = (description: string) => Type.String({ format: 'date', maxLength: 10, description })
/** A calendar month, YYYY-MM. */
export const Month = (description: string) =>
  Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', maxLength: 7, examples: ['2026-01'], description })
/** A month, or a real calendar day within it. */
export const MonthOrDay = (description: string) =>
  Type.Union([Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', maxLength: 7 }), Type.String({ format: 'date', maxLength: 10 })], {
    examples: ['2026-01'],
    description,
  })
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const Category = Type.Enum([...DATA_CATEGORIES], { title: 'DataCategory', description: 'A data category (consent scope)' })

/** The answer to a caller who may no longer read a record (their consent ended): ids and status only. */
export const IdsAndStatus = Type.Object(
  {
    id: Uuid('The record id'),
    status: Type.Optional(Type.String({ description: 'Its status, for records that have one' })),
  },
  { title: 'IdsAndStatus', additionalProperties: false, description: 'Ids and status only: the caller no longer has consent to read the record' },
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
  { title: 'Problem', description: 'An RFC 9457 problem document (application/problem+json)' },
)

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is malformed or fails validation; `errors` names each field',
  401: 'No valid bearer token (see `WWW-Authenticate`)',
  403: 'The caller may see the resource but may not do this',
  404: 'Not found, or not visible to the caller (the two are indistinguishable)',
  409: 'Conflicts with the current state, or a request with the same Idempotency-Key is still running',
  412: 'The If-Match version is stale: read the resource again and retry with its ETag',
  413: 'The body is larger than 1 MiB',
  415: 'The content type is not supported; send application/json',
  422: 'Well-formed but cannot be carried out, or the Idempotency-Key was used with another body',
  428: 'An If-Match header with the current ETag is required',
  429: 'Too many requests; retry after the number of seconds in Retry-After',
  500: 'An unexpected failure; nothing was changed, and no detail is given',
  503: 'The database is unavailable or the server is shutting down; retry after Retry-After',
}

/** The problem+json response of one status (the document names its media type and headers). */
export const problemResponse = (status: number): TSchema =>
  Type.Unsafe({ ...Problem, description: PROBLEM_DESCRIPTIONS[status] ?? 'Error' })

/** The response map of a route: its success response plus problem+json for the listed errors (the plumbing adds its own). */
export function responses<S extends Record<number, TSchema>>(success: S, ...errors: number[]): S {
  const map: Record<number, TSchema> = { ...success }
  for (const status of new Set(errors)) map[status] = problemResponse(status)
  return map as S
}

/** `{ items, nextCursor }`: the envelope of every list (`title` names it in the document when it is not exported). */
export const ListOf = <T extends TSchema>(item: T, description: string, title?: string) =>
  Type.Object(
    {
      items: Type.Array(item, { description }),
      nextCursor: Type.Union([Type.String(), Type.Null()], { title: 'NextCursor', description: 'Pass as `cursor` to get the next page; null on the last page' }),
    },
    { additionalProperties: false, ...(title ? { title } : {}) },
  )

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50, description: 'Page size, at most 100' })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'The nextCursor of the previous page' })),
}
