// Which fields of a young person a list shows: the single read's decision (`fieldWhere`), per row in SQL.
import { type SQL, sql } from 'drizzle-orm'
import type { Principal } from '../auth/principal.js'
import { youngPersons } from '../db/schema/young-persons.js'
import type { AppAbility } from './abilities.js'
import type { IdentityField } from './record-read.js'
import { fieldWhere } from './sql.js'

/** A list's column: the field where the ability lets the caller read it (as in the single read), null elsewhere. */
export function readableIdentityColumn<F extends IdentityField>(ability: AppAbility, principal: Principal, field: F): SQL<string | null> {
  return sql<string | null>`case when ${fieldWhere(ability, principal, 'read', 'YoungPerson', field)} then ${youngPersons[field]} end`
}
