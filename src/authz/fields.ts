// Which fields of a young person a caller sees: one decision (the ability's field rules), in memory and as SQL.
import { subject } from '@casl/ability'
import { permittedFieldsOf } from '@casl/ability/extra'
import { type SQL, sql } from 'drizzle-orm'
import type { Principal } from '../auth/principal.js'
import { youngPersons } from '../db/schema/index.js'
import { type AppAbility, BASE_FIELDS, IDENTITY_FIELDS } from './abilities.js'
import { accessibleFieldWhere } from './sql.js'

export type IdentityField = (typeof IDENTITY_FIELDS)[number]
const YOUNG_PERSON_FIELDS: string[] = [...BASE_FIELDS, ...IDENTITY_FIELDS]

/** The identity fields of this stored young person the caller may read: the single read's view. */
export function readableIdentityFields(ability: AppAbility, row: { id: string }): IdentityField[] {
  const permitted = new Set(
    permittedFieldsOf(ability, 'read', subject('YoungPerson', { ...row }) as never, { fieldsFrom: (rule) => rule.fields ?? YOUNG_PERSON_FIELDS }),
  )
  return IDENTITY_FIELDS.filter((field) => permitted.has(field))
}

/** The same decision in a list's SELECT: the column where the caller may read it, null elsewhere. */
export function readableIdentityColumn<F extends IdentityField>(ability: AppAbility, principal: Principal, field: F): SQL<string | null> {
  return sql<string | null>`case when ${accessibleFieldWhere(ability, principal, 'read', 'YoungPerson', field)} then ${youngPersons[field]} end`
}
