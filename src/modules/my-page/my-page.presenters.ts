// Plain-language view models for the page: consents as sentences, the access log grouped by day and person.
import type { TFunction } from 'i18next'
import { DATA_CATEGORIES } from '../../config.js'
import type { ConsentRow } from '../../authz/data/consents.queries.js'
import { consentStatus } from '../consents/consents.service.js'
import { dayOf } from '../review-items/review-items.service.js'
import { formatDate, type Language } from './i18n.js'
import { GRANT_ACTIONS, GRANT_FIELDS, type GrantErrors, type GrantFormValues } from './grant-form.js'
import type { Overview, TeamChoice } from './my-page.service.js'

const list = (lang: Language, items: string[]) => new Intl.ListFormat(lang, { style: 'long', type: 'conjunction' }).format(items)

type Label = { professional: boolean; name: string | null; role: string | null; agencyName: string | null }

/** "Laura Nurse (nurse, Youth Health Services)": one professional as the young person knows them. */
const personLabel = (t: TFunction, name: string | null, role: string | null, agency: string | null) =>
  t('consent.whoPerson', { name, role: t(`role.${role}`, { defaultValue: role ?? '' }), agency })

/** Whom a consent names: one professional, the people in one role at an agency, or everyone at an agency. */
export function granteeLabel(t: TFunction, g: Label): string {
  if (g.professional) return personLabel(t, g.name, g.role, g.agencyName)
  return g.role ? t('consent.whoRole', { role: t(`rolePlural.${g.role}`), agency: g.agencyName }) : t('consent.whoAgency', { agency: g.agencyName })
}

/** "The nurses of Youth Health Services may read your health notes until 30 June 2027." */
export function consentSentence(t: TFunction, lang: Language, row: ConsentRow): string {
  const professional = row.granteeProfessionalId !== null
  const who = granteeLabel(t, {
    professional,
    name: row.granteeName,
    role: professional ? row.granteeProfessionalRole : row.granteeRole,
    agencyName: professional ? row.granteeProfessionalAgencyName : row.granteeName,
  })
  return t('consent.sentence', {
    who,
    actions: list(lang, row.actions.map((a) => t(`action.${a}`))),
    categories: list(lang, row.categories.map((c) => t(`category.${c}`))),
    until: formatDate(lang, row.validUntil),
  })
}

/** One consent in plain words: whom it names, how it was given (in person: who recorded it and the evidence), who withdrew it. */
export function consentView(t: TFunction, lang: Language, row: ConsentRow) {
  const status = consentStatus(row)
  const given =
    row.method === 'in_person' && row.recorderProfessionalId
      ? t('consents.givenInPerson', { who: personLabel(t, row.recorderName, row.recorderRole, row.recorderAgencyName), date: formatDate(lang, row.createdAt), evidence: row.evidence ?? '' })
      : t('consents.digital', { date: formatDate(lang, row.createdAt) })
  const withdrawn = row.revokedAt
    ? row.revokerProfessionalId
      ? t('consents.withdrawnBy', { who: personLabel(t, row.revokerName, row.revokerRole, row.revokerAgencyName), date: formatDate(lang, row.revokedAt) })
      : t('consents.withdrawnByYou', { date: formatDate(lang, row.revokedAt) })
    : null
  return { id: row.id, sentence: consentSentence(t, lang, row), status, statusText: t(`status.${status}`), purpose: row.purpose, given, withdrawn }
}

export function presentConsents(t: TFunction, lang: Language, overview: Overview) {
  return overview.consents.map((row) => consentView(t, lang, row))
}

/** Where each field's error links to from the summary: its first input. */
const firstInput: Record<(typeof GRANT_FIELDS)[number], string> = {
  grantee: 'grantee-0',
  categories: `cat-${DATA_CATEGORIES[0]}`,
  actions: `action-${GRANT_ACTIONS[0]}`,
  validUntil: 'validUntil',
  purpose: 'purpose',
}

/** The new-consent form: the team as plain-language choices, every category and action, and each error beside its field. */
export function presentGrantForm(t: TFunction, lang: Language, choices: TeamChoice[], values: GrantFormValues, errors: GrantErrors, dates: { min: string; max: string }) {
  const span = { min: formatDate(lang, dates.min), max: formatDate(lang, dates.max) }
  const messages = Object.fromEntries(GRANT_FIELDS.filter((f) => errors[f]).map((f) => [f, t(errors[f]!, span)]))
  return {
    choices: choices.map((c, i) => ({
      id: `grantee-${i}`,
      value: c.value,
      label: granteeLabel(t, { professional: c.grantee.professionalId !== undefined, name: c.name, role: c.role, agencyName: c.agencyName }),
      checked: c.value === values.grantee,
    })),
    categories: DATA_CATEGORIES.map((c) => ({ id: `cat-${c}`, value: c, label: t(`category.${c}`), checked: values.categories.includes(c) })),
    actions: GRANT_ACTIONS.map((a) => ({ id: `action-${a}`, value: a, label: t(`grant.action.${a}`), checked: values.actions.includes(a) })),
    validUntil: values.validUntil,
    purpose: values.purpose,
    dates,
    untilHint: t('grant.untilHint', span),
    errors: messages,
    summary: GRANT_FIELDS.filter((f) => messages[f]).map((f) => ({ href: `#${firstInput[f]}`, text: messages[f] })),
  }
}

/** What Polku holds: each category with how many notes, and who may see it until when. */
export function presentHoldings(t: TFunction, lang: Language, overview: Overview) {
  const counts = new Map<string, number>([['identity', 1]])
  for (const note of overview.notes) counts.set(note.category, (counts.get(note.category) ?? 0) + 1)
  return [...counts.entries()].map(([category, notes]) => ({
    category: t(`category.${category}`),
    notes: category === 'identity' ? t('holdings.identity') : t('holdings.notes', { count: notes }),
    holders: overview.team
      .filter((m) => m.categories.includes(category))
      .map((m) => t('holdings.holder', { who: m.name ?? m.agencyName, until: formatDate(lang, m.validUntil) })),
  }))
}

export function presentRequests(t: TFunction, lang: Language, overview: Overview) {
  return overview.requests
    .filter((r) => r.status === 'pending' && r.expiresAt.getTime() > Date.now())
    .map((r) => ({
      id: r.id,
      sentence: t('requests.sentence', {
        by: r.requestedByName,
        who: r.granteeName,
        actions: list(lang, r.actions.map((a) => t(`action.${a}`))),
        categories: list(lang, r.categories.map((c) => t(`category.${c}`))),
      }),
      purpose: r.purpose,
      expires: formatDate(lang, r.expiresAt),
    }))
}

type LogRow = Overview['accessLog'][number]

/** Groups by day and person: "read your health notes 3 times — under your consent of 12 November", refusals apart. */
export function presentAccessLog(t: TFunction, lang: Language, overview: Overview) {
  const consentDates = new Map(overview.consents.map((c) => [c.id, formatDate(lang, c.createdAt)]))
  const groups = new Map<string, { day: string; who: string; eventId: string; rows: LogRow[] }>()
  for (const row of overview.accessLog) {
    const day = dayOf(row.occurredAt)
    const who = [row.actorName, row.actorRole ? t(`role.${row.actorRole}`, { defaultValue: row.actorRole }) : t(`actor.${row.actorKind}`, { defaultValue: row.actorKind }), row.agencyName]
      .filter(Boolean)
      .join(', ')
    const key = `${day}|${who}`
    if (!groups.has(key)) groups.set(key, { day, who, eventId: row.id, rows: [] })
    groups.get(key)!.rows.push(row)
  }
  return [...groups.values()].map((group) => {
    const lines = new Map<string, { text: string; refused: boolean }>()
    const tally = new Map<string, number>()
    for (const row of group.rows) {
      const what = t(`log.action.${row.action}`, { defaultValue: row.action })
      const category = row.category ? t(`category.${row.category}`) : t(`log.resource.${row.resourceType}`, { defaultValue: row.resourceType })
      const under = row.consentIds.map((id) => consentDates.get(id)).filter(Boolean)[0]
      const key = `${row.outcome}|${what}|${category}|${under ?? ''}`
      tally.set(key, (tally.get(key) ?? 0) + 1)
      const count = tally.get(key)!
      const text =
        row.outcome === 'denied'
          ? t('log.refused', { what, category, count })
          : under
            ? t('log.allowedUnder', { what, category, count, date: under })
            : t('log.allowed', { what, category, count })
      lines.set(key, { text, refused: row.outcome === 'denied' })
    }
    return { day: formatDate(lang, group.day), who: group.who, eventId: group.eventId, lines: [...lines.values()] }
  })
}

export function presentQuestions(lang: Language, overview: Overview) {
  return overview.questions.map((q) => ({
    day: formatDate(lang, q.day),
    who: [q.actorName, q.agencyName].filter(Boolean).join(', '),
    question: q.question,
    answer: q.answer,
    answeredAt: q.answeredAt ? formatDate(lang, q.answeredAt) : null,
  }))
}
