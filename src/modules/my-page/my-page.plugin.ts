// The young person's page at /my/: HTML without JavaScript, sessions in an encrypted cookie, CSRF tokens, strict CSP.
import { fileURLToPath } from 'node:url'
import csrf from '@fastify/csrf-protection'
import formbody from '@fastify/formbody'
import helmet from '@fastify/helmet'
import secureSession from '@fastify/secure-session'
import fastifyStatic from '@fastify/static'
import view from '@fastify/view'
import { Eta } from 'eta'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TFunction } from 'i18next'
import { type Principal, resolvePrincipal } from '../../auth/principal.js'
import { classify, loggable } from '../../errors.js'
import { fromAcceptLanguage, isLanguage, LANGUAGES, type Language, loadCatalogues, translator } from './i18n.js'
import { pageRoutes } from './my-page.routes.js'
import { oidcClient } from './oidc.js'
import { currentSubject, SESSION_COOKIE } from './session.js'

const WEB = fileURLToPath(new URL('../../web/', import.meta.url))

/** What every page knows about the request: language, translator and who is signed in. */
export interface PageContext {
  lang: Language
  t: TFunction
  /** The signed-in identity, linked or not. */
  subject: string | null
  /** The young person's own principal once the identity is linked to a record. */
  youngPerson: Extract<Principal, { kind: 'young_person' }> | null
}

declare module 'fastify' {
  interface FastifyRequest {
    page: PageContext
  }
  interface FastifyReply {
    /** Renders a template inside the page layout with the request's language and a CSRF token. */
    page(template: string, data?: Record<string, unknown>): FastifyReply
  }
}

export async function myPage(app: FastifyInstance): Promise<void> {
  await loadCatalogues()
  const config = app.config
  const production = config.env === 'production'

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        ...(production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: production,
    crossOriginEmbedderPolicy: false,
  })
  await app.register(secureSession, {
    key: config.page.sessionKey,
    cookieName: SESSION_COOKIE,
    expiry: config.page.sessionMaxHours * 3600,
    cookie: { path: '/my', httpOnly: true, sameSite: 'lax', secure: production, maxAge: config.page.sessionMaxHours * 3600 },
  })
  await app.register(csrf, { sessionPlugin: '@fastify/secure-session', getToken: (request) => (request.body as { _csrf?: string } | undefined)?._csrf })
  await app.register(formbody)
  await app.register(view, { engine: { eta: new Eta({ views: `${WEB}views`, cache: production }) }, root: `${WEB}views`, viewExt: 'eta' })
  await app.register(fastifyStatic, { root: `${WEB}public`, prefix: '/assets/', decorateReply: false, maxAge: '1h' })

  const oidc = config.page.oidc ? oidcClient(config.page.oidc, production) : null

  app.decorateRequest('page', null as never)
  app.decorateReply('page', function renderPage(this: FastifyReply, template: string, data: Record<string, unknown> = {}) {
    const { lang, t, subject, youngPerson } = this.request.page
    const path = this.request.url.split('?')[0]
    return this.type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .view(template, { ...data, lang, t, signedIn: subject !== null, linked: youngPerson !== null, csrf: this.generateCsrf(), path, languages: LANGUAGES, demo: !production, oidc: oidc !== null })
  })

  app.addHook('preHandler', async function pageContext(request: FastifyRequest) {
    const chosen = request.session.get('lang')
    const lang = isLanguage(chosen) ? chosen : fromAcceptLanguage(request.headers['accept-language'])
    const subject = currentSubject(request, config.page)
    let youngPerson: PageContext['youngPerson'] = null
    if (subject !== null) {
      const principal = await app.database.transaction((tx) => resolvePrincipal(tx, subject, []))
      if (principal?.kind === 'young_person') {
        youngPerson = principal
        // The same principal the API resolves from a token: the services below authorise and audit it alike.
        request.principal = principal
      }
    }
    request.page = { lang, t: translator(lang), subject, youngPerson }
  })

  app.setErrorHandler(async function pageError(error: FastifyError, request, reply) {
    const { status, headers } = classify(error)
    if (status >= 500) request.log.error({ err: loggable(error), status }, 'request failed')
    const lang = request.page?.lang ?? fromAcceptLanguage(request.headers['accept-language'])
    const csrfFailure = error.code?.startsWith('FST_CSRF')
    const key = csrfFailure ? 'error.csrf' : status === 404 ? 'error.notFound' : status === 429 ? 'error.tooMany' : status >= 500 ? 'error.unavailable' : 'error.generic'
    request.page ??= { lang, t: translator(lang), subject: null, youngPerson: null }
    return reply.code(csrfFailure ? 403 : status).headers(headers ?? {}).page('error', { message: request.page.t(key) })
  })
  app.setNotFoundHandler(async function pageNotFound(request, reply) {
    const lang = fromAcceptLanguage(request.headers['accept-language'])
    request.page ??= { lang, t: translator(lang), subject: null, youngPerson: null }
    return reply.code(404).page('error', { message: request.page.t('error.notFound') })
  })

  await app.register(pageRoutes, { oidc })
}
