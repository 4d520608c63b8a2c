// The page's languages: Finnish, Swedish and English catalogues under locales/, one i18next instance each.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import i18next, { type TFunction } from 'i18next'

export const LANGUAGES = ['fi', 'sv', 'en'] as const
export type Language = (typeof LANGUAGES)[number]

const LOCALES = fileURLToPath(new URL('../../../locales/', import.meta.url))

const translators = new Map<Language, TFunction>()

/** Loads the catalogues once; a missing key shows as the key, and the catalogue test catches it. */
export async function loadCatalogues(): Promise<void> {
  if (translators.size > 0) return
  for (const lang of LANGUAGES) {
    const instance = i18next.createInstance()
    const translation = JSON.parse(readFileSync(`${LOCALES}${lang}.json`, 'utf8'))
    await instance.init({ lng: lang, fallbackLng: false, resources: { [lang]: { translation } }, interpolation: { escapeValue: false }, initAsync: false })
    translators.set(lang, instance.t.bind(instance) as TFunction)
  }
}

export function translator(lang: Language): TFunction {
  const t = translators.get(lang)
  if (!t) throw new Error('loadCatalogues() must run before the page serves requests')
  return t
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value)
}

/** The best of fi/sv/en for an Accept-Language header (RFC 9110 q-values); Finnish when none fits. */
export function fromAcceptLanguage(header: string | undefined): Language {
  const ranked = (header ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';')
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
      return { lang: tag.toLowerCase().split('-')[0] ?? '', q: q ? Number(q.slice(2)) : 1, index }
    })
    .filter((entry) => entry.q > 0 && !Number.isNaN(entry.q))
    .sort((a, b) => b.q - a.q || a.index - b.index)
  return ranked.map((entry) => entry.lang).find(isLanguage) ?? 'fi'
}

/** Dates as people read them in that language, on Finnish time. */
export function formatDate(lang: Language, at: Date | string): string {
  const date = typeof at === 'string' ? new Date(at.length === 10 ? `${at}T12:00:00Z` : at) : at
  return new Intl.DateTimeFormat(`${lang}-FI`, { dateStyle: 'long', timeZone: 'Europe/Helsinki' }).format(date)
}

export function formatTime(lang: Language, at: Date): string {
  return new Intl.DateTimeFormat(`${lang}-FI`, { timeStyle: 'short', timeZone: 'Europe/Helsinki' }).format(at)
}

const HELSINKI_DAY = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Helsinki', year: 'numeric', month: '2-digit', day: '2-digit' })
const HELSINKI_OFFSET = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Helsinki', timeZoneName: 'longOffset' })

/** The Finnish calendar day of an instant as a date field reads it: YYYY-MM-DD. */
export function dateFieldValue(at: Date): string {
  return HELSINKI_DAY.format(at)
}

/** The last second of a calendar day (YYYY-MM-DD) on Finnish time, so "until 30 June" holds through 30 June; null for no such day. */
export function endOfDay(day: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null
  const noon = new Date(`${day}T12:00:00Z`)
  if (Number.isNaN(noon.getTime()) || noon.toISOString().slice(0, 10) !== day) return null
  // Clocks change in the small hours, so the offset at noon is the offset at midnight.
  const offset = /GMT([+-])(\d{2}):(\d{2})/.exec(HELSINKI_OFFSET.formatToParts(noon).find((p) => p.type === 'timeZoneName')?.value ?? '')
  const minutes = offset ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) : 0
  return new Date(Date.parse(`${day}T23:59:59.000Z`) - minutes * 60_000)
}
