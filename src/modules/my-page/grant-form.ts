// The page's form for a new consent: what was sent, what is wrong with it field by field, and the grant it asks for.
import type { Static } from 'typebox'
import { type Config, DATA_CATEGORIES } from '../../config.js'
import { UnprocessableError } from '../../errors.js'
import type { GrantConsent } from '../consents/consents.schemas.js'
import { validUntil } from '../consents/consents.service.js'
import { dateFieldValue, endOfDay } from './i18n.js'
import type { TeamChoice } from './my-page.service.js'

export const GRANT_ACTIONS = ['read', 'write'] as const

/** The fields in the order the form shows them; each error is a catalogue key shown next to its field. */
export const GRANT_FIELDS = ['grantee', 'categories', 'actions', 'validUntil', 'purpose'] as const
export type GrantField = (typeof GRANT_FIELDS)[number]
export type GrantErrors = Partial<Record<GrantField, string>>

export interface GrantFormValues {
  grantee: string
  categories: string[]
  actions: string[]
  validUntil: string
  purpose: string
}

const DAY_MS = 24 * 3600 * 1000
const asList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [])
const asText = (value: unknown): string => (typeof value === 'string' ? value : '')

/** The days a date field may offer: from today to the last day whose end is still within the configured maximum. */
export function grantDates(config: Config, now = new Date()) {
  const last = new Date(now.getTime() + (config.consentMaxDays - 1) * DAY_MS)
  const initial = new Date(now.getTime() + Math.min(config.consentDefaultDays, config.consentMaxDays - 1) * DAY_MS)
  return { min: dateFieldValue(now), max: dateFieldValue(last), initial: dateFieldValue(initial) }
}

/** An empty form: reading only, until the default end date. */
export function blankGrantForm(config: Config, now = new Date()): GrantFormValues {
  return { grantee: '', categories: [], actions: ['read'], validUntil: grantDates(config, now).initial, purpose: '' }
}

export function grantFormValues(body: unknown): GrantFormValues {
  const fields = (body ?? {}) as Record<string, unknown>
  return {
    grantee: asText(fields.grantee),
    categories: asList(fields.categories),
    actions: asList(fields.actions),
    validUntil: asText(fields.validUntil).trim(),
    purpose: asText(fields.purpose).trim(),
  }
}

/** Checks the form against the young person's team and the consent rules; the grant only when nothing is wrong. */
export function checkGrantForm(values: GrantFormValues, choices: TeamChoice[], config: Config, now = new Date()): { errors: GrantErrors; grant?: Static<typeof GrantConsent> } {
  const errors: GrantErrors = {}
  const choice = choices.find((c) => c.value === values.grantee)
  if (!choice) errors.grantee = 'grant.error.grantee'
  const categories = values.categories.filter((c) => (DATA_CATEGORIES as readonly string[]).includes(c))
  if (categories.length === 0 || categories.length !== values.categories.length) errors.categories = 'grant.error.categories'
  const actions = values.actions.filter((a) => (GRANT_ACTIONS as readonly string[]).includes(a))
  if (actions.length === 0 || actions.length !== values.actions.length) errors.actions = 'grant.error.actions'
  const until = endOfDay(values.validUntil)
  try {
    if (!until) throw new UnprocessableError('no such day')
    // The service's own rule for the end date, so the form and the API never disagree.
    validUntil(config, until, now)
  } catch (error) {
    if (!(error instanceof UnprocessableError)) throw error
    errors.validUntil = 'grant.error.validUntil'
  }
  if (values.purpose.length < 3 || values.purpose.length > 1000) errors.purpose = 'grant.error.purpose'
  if (Object.keys(errors).length > 0 || !choice || !until) return { errors }
  return {
    errors,
    grant: {
      grantee: choice.grantee as Static<typeof GrantConsent>['grantee'],
      categories: [...new Set(categories)] as Static<typeof GrantConsent>['categories'],
      actions: [...new Set(actions)] as Static<typeof GrantConsent>['actions'],
      purpose: values.purpose,
      validUntil: until.toISOString(),
    },
  }
}
