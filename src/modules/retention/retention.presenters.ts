// How the deletion date is shown: to the young person (/v1/me, the export) and to professionals who see the pathway.
import type { SQL } from 'drizzle-orm'
import type { Static } from 'typebox'
import type { RetentionConfig } from '../../config.js'
import type { Queryable } from '../../db/client.js'
import { retentionBasis } from './retention.queries.js'
import { retentionView } from './retention.rules.js'
import type * as s from './retention.schemas.js'

const dateOnly = (at: Date | null) => (at === null ? null : at.toISOString().slice(0, 10))

export function presentRetention(view: ReturnType<typeof retentionView>): Static<typeof s.Retention> {
  return {
    deletionDate: dateOnly(view.deletionDate),
    startsFrom: view.start,
    categories: view.categories.map((c) => ({ category: c.category, deletionDate: dateOnly(c.deletionDate), erasedAt: c.erasedAt })),
    legalHold: view.legalHold,
    erasedAt: view.erasedAt,
  }
}

/** The young person's deletion date as of now, read in the caller's transaction (none where `guard` is false). */
export async function retentionOf(q: Queryable, rules: RetentionConfig, youngPersonId: string, guard?: SQL): Promise<Static<typeof s.Retention> | null> {
  const basis = await retentionBasis(q, youngPersonId, new Date(), guard)
  return basis ? presentRetention(retentionView(rules, basis)) : null
}
