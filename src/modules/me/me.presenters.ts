// The young person's own record as they see it.
import { type Static, Type } from 'typebox'
import { Retention } from '../retention/retention.schemas.js'
import type { findYoungPerson } from '../../authz/data/young-persons.queries.js'

export const Me = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'Your id' }),
    givenName: Type.String({ description: 'Given name' }),
    familyName: Type.String({ description: 'Family name' }),
    birthDate: Type.Union([Type.String({ format: 'date' }), Type.Null()], { description: 'Birth date; null once erased' }),
    email: Type.Union([Type.String(), Type.Null()], { description: 'Email address' }),
    phone: Type.Union([Type.String(), Type.Null()], { description: 'Phone number' }),
    createdAt: Type.Unsafe<Date | string>({ type: 'string', format: 'date-time', description: 'When your record was made' }),
    retention: Retention,
  },
  { additionalProperties: false, title: 'Me' },
)

type PersonRow = NonNullable<Awaited<ReturnType<typeof findYoungPerson>>>

export function presentMe(row: PersonRow, retention: Static<typeof Retention>): Static<typeof Me> {
  const { id, givenName, familyName, birthDate, email, phone, createdAt } = row
  return { id, givenName, familyName, birthDate, email, phone, createdAt, retention }
}
