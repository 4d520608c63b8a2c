// Routes of the page: sign-in and out, linking, the overview, and every action through the API's own services.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { DATA_CATEGORIES } from '../../config.js'
import { decideConsentRequest, grantOrReplaceConsent, readConsent, revokeConsent } from '../consents/consent-actions.js'
import { consentReceipt } from '../consents/consents.service.js'
import { accountSubjectsStartingWith } from '../../authz/data/link-codes.queries.js'
import { throughDoor } from '../../authz/index.js'
import { LinkRefusedError } from '../linking/link-codes.service.js'
import { linkLogin } from '../linking/link-login.js'
import { exportOwnData } from '../me/export.service.js'
import { questionAccess } from '../review-items/review-items.service.js'
import { blankGrantForm, checkGrantForm, type GrantErrors, type GrantFormValues, grantDates, grantFormValues } from './grant-form.js'
import { dateFieldValue, endOfDay, isLanguage } from './i18n.js'
import { consentSentence, consentView, presentAccessLog, presentConsents, presentGrantForm, presentHoldings, presentQuestions, presentRequests } from './my-page.presenters.js'
import { loadOverview, loadTeamChoices, type TeamChoice } from './my-page.service.js'
import type { OidcClient } from './oidc.js'
import { signIn, signOut } from './session.js'

/** Demo young persons' subjects start with this; /my/demo-sign-in lists them (never in production). */
export const DEMO_YOUNG_PERSON_PREFIX = 'demo-young-'

const Id = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false })
// Optional here so a missing token meets the CSRF check (403), not schema validation.
const Csrf = { _csrf: Type.Optional(Type.String()) }
const form = <T extends Record<string, ReturnType<typeof Type.String> | ReturnType<typeof Type.Optional>>>(fields: T) => Type.Object({ ...Csrf, ...fields }, { additionalProperties: true })
const asList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [])

function youngPersonOf(request: FastifyRequest) {
  const yp = request.page.youngPerson
  if (!yp) throw Object.assign(new Error('sign in first'), { statusCode: 404 })
  return yp
}

const home = (reply: FastifyReply, notice?: string) => reply.redirect(notice ? `/my/?done=${notice}` : '/my/', 303)

export async function pageRoutes(app: FastifyInstance, { oidc }: { oidc: OidcClient | null }): Promise<void> {
  const db = app.database
  const production = app.config.env === 'production'
  const hidden = { hide: true }
  const protect = { preHandler: app.csrfProtection }

  app.get('/', { schema: hidden }, async function overviewPage(request, reply) {
    const { t, lang, subject, youngPerson } = request.page
    if (subject === null) return reply.page('sign-in')
    if (youngPerson === null) return reply.page('link', { error: null })
    const overview = await loadOverview(db, request, youngPerson, app.config.accessLogShowsNames)
    const consents = presentConsents(t, lang, overview)
    const done = (request.query as { done?: string }).done
    return reply.page('home', {
      name: overview.person.givenName,
      notice: done && ['withdrawn', 'changed', 'granted', 'approve', 'decline', 'asked'].includes(done) ? t(`notice.${done}`) : null,
      holdings: presentHoldings(t, lang, overview),
      active: consents.filter((c) => c.status === 'active'),
      past: consents.filter((c) => c.status !== 'active'),
      requests: presentRequests(t, lang, overview),
      log: presentAccessLog(t, lang, overview),
      questions: presentQuestions(lang, overview),
    })
  })

  app.get('/language/:lang', { schema: hidden }, async function chooseLanguage(request, reply) {
    const { lang } = request.params as { lang: string }
    if (isLanguage(lang)) request.session.set('lang', lang)
    const next = (request.query as { next?: string }).next
    return reply.redirect(typeof next === 'string' && /^\/my\/[\w/?=&.-]*$/.test(next) ? next : '/my/', 303)
  })

  app.get('/sign-in', { schema: hidden }, async function startSignIn(request, reply) {
    if (!oidc) return reply.code(404).page('error', { message: request.page.t('error.noSignIn') })
    return reply.redirect(await oidc.start(request), 303)
  })

  app.get('/callback', { schema: hidden }, async function finishSignIn(request, reply) {
    if (!oidc) return reply.code(404).page('error', { message: request.page.t('error.noSignIn') })
    let subject: string
    try {
      subject = await oidc.finish(request)
    } catch (error) {
      request.log.warn({ err: { type: (error as Error).name, message: (error as Error).message } }, 'sign-in failed')
      return reply.code(400).page('error', { message: request.page.t('error.signInFailed') })
    }
    signIn(request, subject)
    return home(reply)
  })

  app.post('/sign-out', { schema: { ...hidden, body: form({}) }, ...protect }, async function endSession(request, reply) {
    signOut(request)
    return reply.page('signed-out')
  })

  // Refused in production before anything else runs: there the identity provider is the only way in.
  const developmentOnly = async (_request: FastifyRequest, reply: FastifyReply) => {
    if (production) return reply.code(404).type('text/plain; charset=utf-8').send('Not found')
  }

  app.get('/demo-sign-in', { schema: hidden, onRequest: developmentOnly }, async function demoPeople(_request, reply) {
    const people = await db.transaction((tx) => accountSubjectsStartingWith(tx, DEMO_YOUNG_PERSON_PREFIX))
    return reply.page('demo', { people })
  })

  app.post('/demo-sign-in', { schema: { ...hidden, body: form({ subject: Type.String() }) }, onRequest: developmentOnly, ...protect }, async function demoSignIn(request, reply) {
    const { subject } = request.body as { subject: string }
    if (!subject.startsWith(DEMO_YOUNG_PERSON_PREFIX)) return reply.code(400).page('error', { message: request.page.t('error.generic') })
    signIn(request, subject)
    return home(reply)
  })

  app.post('/link', { schema: { ...hidden, body: form({ code: Type.String() }) }, ...protect }, async function linkWithCode(request, reply) {
    const { subject, t } = request.page
    if (subject === null) return home(reply)
    const code = (request.body as { code: string }).code.trim()
    if (code === '') return reply.code(422).page('link', { error: t('link.empty') })
    const outcome = await linkLogin(app, request, subject, code)
    if ('wait' in outcome) return reply.code(429).header('retry-after', String(outcome.wait)).page('link', { error: t('link.tooMany', { minutes: Math.ceil(outcome.wait / 60) }) })
    if (outcome.result instanceof LinkRefusedError) return reply.code(422).page('link', { error: t(`link.${outcome.result.reason}`) })
    return home(reply)
  })

  app.get('/consents/:id', { schema: { ...hidden, params: Id } }, async function consentPage(request, reply) {
    const yp = youngPersonOf(request)
    const { id } = request.params as { id: string }
    const { t, lang } = request.page
    const row = await throughDoor(db, request, (door) => readConsent(door, id))
    if (!row || row.youngPersonId !== yp.youngPersonId) return reply.code(404).page('error', { message: t('error.notFound') })
    return reply.page('consent', {
      consent: { ...consentView(t, lang, row), categories: row.categories, validUntil: dateFieldValue(row.validUntil) },
      receipt: JSON.stringify(consentReceipt(row), null, 2),
      allCategories: DATA_CATEGORIES,
      error: null,
    })
  })

  app.get('/consents/:id/withdraw', { schema: { ...hidden, params: Id } }, async function confirmWithdrawal(request, reply) {
    youngPersonOf(request)
    const { id } = request.params as { id: string }
    const row = await throughDoor(db, request, (door) => readConsent(door, id))
    if (!row) return reply.code(404).page('error', { message: request.page.t('error.notFound') })
    return reply.page('withdraw', { id, sentence: consentSentence(request.page.t, request.page.lang, row) })
  })

  app.post('/consents/:id/withdraw', { schema: { ...hidden, params: Id, body: form({}) }, ...protect }, async function withdrawConsent(request, reply) {
    youngPersonOf(request)
    const { id } = request.params as { id: string }
    await revokeConsent(db, request, id)
    return home(reply, 'withdrawn')
  })

  app.post('/consents/:id/change', { schema: { ...hidden, params: Id, body: form({ validUntil: Type.String() }) }, ...protect }, async function changeConsent(request, reply) {
    const yp = youngPersonOf(request)
    const { id } = request.params as { id: string }
    const body = request.body as { validUntil: string; categories?: unknown }
    const until = endOfDay(body.validUntil.trim())
    if (!until) return reply.code(422).page('error', { message: request.page.t('error.generic') })
    const changed = await throughDoor(db, request, async (door) => {
      const current = await readConsent(door, id)
      if (!current || current.youngPersonId !== yp.youngPersonId) return null
      const grantee = current.granteeProfessionalId ? { professionalId: current.granteeProfessionalId } : { agencyId: current.granteeAgencyId!, ...(current.granteeRole ? { role: current.granteeRole } : {}) }
      const categories = asList(body.categories).filter((c) => (DATA_CATEGORIES as readonly string[]).includes(c))
      return grantOrReplaceConsent(door, yp.youngPersonId, {
        grantee: grantee as never,
        categories: (categories.length > 0 ? categories : current.categories) as never,
        actions: current.actions as never,
        purpose: current.purpose,
        validUntil: until.toISOString(),
        supersedes: current.id,
      })
    })
    if (!changed) return reply.code(404).page('error', { message: request.page.t('error.notFound') })
    return home(reply, 'changed')
  })

  const grantPage = (reply: FastifyReply, choices: TeamChoice[], values: GrantFormValues, errors: GrantErrors) => {
    const { t, lang } = reply.request.page
    return reply.page('grant', presentGrantForm(t, lang, choices, values, errors, grantDates(app.config)))
  }

  app.get('/grant', { schema: hidden }, async function newConsentForm(request, reply) {
    const yp = youngPersonOf(request)
    const choices = await throughDoor(db, request, (door) => loadTeamChoices(door, yp))
    return grantPage(reply, choices, blankGrantForm(app.config), {})
  })

  // The API's own grant by the young person (grantOrReplaceConsent), to someone the page offered: their team.
  app.post(
    '/grant',
    { schema: { ...hidden, body: form({ grantee: Type.Optional(Type.String()), validUntil: Type.Optional(Type.String()), purpose: Type.Optional(Type.String()) }) }, ...protect },
    async function grantNewConsent(request, reply) {
      const yp = youngPersonOf(request)
      const values = grantFormValues(request.body)
      const outcome = await throughDoor(db, request, async (door) => {
        const choices = await loadTeamChoices(door, yp)
        const { errors, grant } = checkGrantForm(values, choices, app.config)
        if (!grant) return { refused: { choices, errors } }
        const granted = await grantOrReplaceConsent(door, yp.youngPersonId, grant)
        return { granted: granted !== null && !('refused' in granted) }
      })
      if (outcome.refused) return grantPage(reply.code(422), outcome.refused.choices, values, outcome.refused.errors)
      if (!outcome.granted) return reply.code(404).page('error', { message: request.page.t('error.notFound') })
      return home(reply, 'granted')
    },
  )

  app.post('/requests/:id/:decision', { schema: { ...hidden, body: form({}) }, ...protect }, async function decideRequest(request, reply) {
    youngPersonOf(request)
    const { id, decision } = request.params as { id: string; decision: string }
    if ((decision !== 'approve' && decision !== 'decline') || !/^[0-9a-f-]{36}$/.test(id)) return reply.code(404).page('error', { message: request.page.t('error.notFound') })
    const decided = await throughDoor(db, request, (door) => decideConsentRequest(door, id, decision))
    if (!decided) return reply.code(404).page('error', { message: request.page.t('error.notFound') })
    return home(reply, decision)
  })

  app.get('/question/:id', { schema: { ...hidden, params: Id } }, async function questionForm(request, reply) {
    youngPersonOf(request)
    return reply.page('question', { eventId: (request.params as { id: string }).id, error: null })
  })

  app.post('/question/:id', { schema: { ...hidden, params: Id, body: form({ question: Type.String() }) }, ...protect }, async function askQuestion(request, reply) {
    const yp = youngPersonOf(request)
    const { id } = request.params as { id: string }
    const question = (request.body as { question: string }).question.trim()
    if (question === '' || question.length > 2000) return reply.code(422).page('question', { eventId: id, error: request.page.t('question.empty') })
    await questionAccess(db, request, yp, id, question)
    return home(reply, 'asked')
  })

  app.get('/export', { schema: hidden }, async function downloadMyData(request, reply) {
    const yp = youngPersonOf(request)
    const data = await exportOwnData(db, request, yp, app.config.accessLogShowsNames)
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', 'attachment; filename="polku-my-data.json"')
      .header('cache-control', 'no-store')
      .send(JSON.stringify(data, null, 2))
  })

  app.get('/accessibility', { schema: hidden }, async function accessibilityStatement(_request, reply) {
    return reply.page('accessibility')
  })
}
