// The `$consent` condition: "the caller holds an active consent for this row's young person".
// One term, two renderings: in memory against the consents loaded for the request, and in SQL as EXISTS.
import type { DocumentCondition, DocumentInstruction } from '@ucast/mongo2js'

export type ConsentAction = 'read' | 'write'

/** The value of a `$consent` term in a rule. */
export interface ConsentTerm {
  action: ConsentAction
  /** A fixed category the consent must cover (`identity`, `pathway`, …). */
  category?: string
  /** Or: the row's field naming its category (a note's `category`). */
  categoryField?: string
}

/** An active consent held by the caller, as loaded inside the request's transaction. */
export interface HeldConsent {
  id: string
  youngPersonId: string
  categories: string[]
  actions: string[]
}

export const consentInstruction: DocumentInstruction<ConsentTerm> = {
  type: 'document',
  validate(_instruction, value) {
    if (!value || typeof value !== 'object') throw new TypeError('$consent expects an object')
    if (value.action !== 'read' && value.action !== 'write') throw new TypeError('$consent.action must be read or write')
    if (value.category !== undefined && value.categoryField !== undefined) {
      throw new TypeError('$consent takes category or categoryField, not both')
    }
  },
}

type Getter = (object: unknown, field: string) => unknown

/** Whether one of `consents` covers `term` for `row`, whose young person is in `youngPersonField`. */
export function consentCovers(
  consents: readonly HeldConsent[],
  term: ConsentTerm,
  row: unknown,
  youngPersonField: string,
  get: Getter,
): boolean {
  const youngPersonId = get(row, youngPersonField)
  const category = term.categoryField !== undefined ? get(row, term.categoryField) : term.category
  if (term.categoryField !== undefined && typeof category !== 'string') return false
  return consents.some(
    (c) =>
      c.youngPersonId === youngPersonId &&
      c.actions.includes(term.action) &&
      (category === undefined || c.categories.includes(category as string)),
  )
}

export function makeConsentInterpreter(consents: readonly HeldConsent[], youngPersonFieldOf: (object: unknown) => string) {
  return (condition: DocumentCondition<ConsentTerm>, object: unknown, context: { get: Getter }) =>
    consentCovers(consents, condition.value, object, youngPersonFieldOf(object), context.get)
}
