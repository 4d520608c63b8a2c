// The deletion date: from the retention start and the configured days per category, pure and shared by views and the job.
import { DATA_CATEGORIES, type DataCategory, type RetentionConfig } from '../../config.js'

const DAY_MS = 86_400_000

/** What the deletion date is computed from, as read in one statement (see retention.queries.ts). */
export interface RetentionBasis {
  youngPersonId: string
  /** The later of the pathway's closing and the end of the last consent; null while the pathway is open under an active consent. */
  start: Date | null
  legalHold: boolean
  erasedAt: Date | null
  /** When each category was last erased. */
  erasedCategories: Partial<Record<DataCategory, Date>>
}

export interface CategoryDeletion {
  category: DataCategory
  deletionDate: Date | null
  erasedAt: Date | null
}

export interface RetentionView {
  start: Date | null
  /** When the whole record becomes a tombstone: the start plus the longest period. */
  deletionDate: Date | null
  categories: CategoryDeletion[]
  legalHold: boolean
  erasedAt: Date | null
}

export const addDays = (from: Date, days: number) => new Date(from.getTime() + days * DAY_MS)

/** A category erased since the current retention start needs no second erasure. */
function erasedSinceStart(basis: RetentionBasis, category: DataCategory): Date | null {
  const at = basis.erasedCategories[category]
  return at !== undefined && (basis.start === null || at >= basis.start) ? at : null
}

export function retentionView(rules: RetentionConfig, basis: RetentionBasis): RetentionView {
  const longest = Math.max(...DATA_CATEGORIES.map((c) => rules.days[c]))
  return {
    start: basis.start,
    deletionDate: basis.erasedAt ?? (basis.start ? addDays(basis.start, longest) : null),
    categories: DATA_CATEGORIES.map((category) => ({
      category,
      deletionDate: basis.start ? addDays(basis.start, rules.days[category]) : null,
      erasedAt: basis.erasedAt ?? erasedSinceStart(basis, category),
    })),
    legalHold: basis.legalHold,
    erasedAt: basis.erasedAt,
  }
}

/** The categories whose period has run out at `now` and that are not erased yet; none under a legal hold. */
export function dueCategories(rules: RetentionConfig, basis: RetentionBasis, now: Date): DataCategory[] {
  if (basis.start === null || basis.legalHold || basis.erasedAt !== null) return []
  const start = basis.start
  return DATA_CATEGORIES.filter((c) => addDays(start, rules.days[c]) <= now && erasedSinceStart(basis, c) === null)
}

/** Whether erasing `categories` leaves nothing of the record: then it becomes a tombstone. */
export function completesErasure(basis: RetentionBasis, categories: readonly DataCategory[]): boolean {
  return DATA_CATEGORIES.every((c) => categories.includes(c) || erasedSinceStart(basis, c) !== null)
}
