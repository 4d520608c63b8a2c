// Using the page through app.inject as a browser would: the session cookie, the form's CSRF token, demo sign-in.
import secureSession from '@fastify/secure-session'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import { SESSION_COOKIE } from '../../src/modules/my-page/session.js'

export function cookieOf(res: LightMyRequestResponse): string {
  const header = res.headers['set-cookie']
  const all = Array.isArray(header) ? header : header ? [header] : []
  const session = all.find((c) => c.startsWith('polku_session='))
  if (!session) throw new Error('no session cookie was set')
  return session
}
export const pair = (setCookie: string) => setCookie.split(';')[0]!
export const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? ''

/** Posts a form as the browser does: url-encoded, repeated names for several values. */
export function postForm(app: FastifyInstance, url: string, cookie: string, fields: [string, string][], headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: new URLSearchParams(fields).toString() })
}

/** Signs in through /my/demo-sign-in (development only) as `subject`; the answer and its session cookie. */
export async function demoSignIn(app: FastifyInstance, subject: string) {
  const page = await app.inject({ method: 'GET', url: '/my/demo-sign-in' })
  const res = await postForm(app, '/my/demo-sign-in', pair(cookieOf(page)), [['_csrf', csrfOf(page.body)], ['subject', subject]])
  return { res, cookie: pair(cookieOf(res)) }
}

/** Seals sessions with an app's session key, one sealer per app. */
const sealers = new WeakMap<FastifyInstance, Promise<FastifyInstance>>()

async function sealerFor(app: FastifyInstance): Promise<FastifyInstance> {
  let sealer = sealers.get(app)
  if (!sealer) {
    sealer = (async () => {
      const instance = Fastify()
      await instance.register(secureSession, { key: app.config.page.sessionKey, cookieName: SESSION_COOKIE })
      await instance.ready()
      return instance
    })()
    sealers.set(app, sealer)
  }
  return sealer
}

/**
 * A session signed in as any `subject`, the state the identity provider's callback leaves (demo sign-in takes
 * demo subjects only): the cookie pair to send.
 */
export async function sessionSignedInAs(app: FastifyInstance, subject: string, now = Date.now()): Promise<string> {
  const sealer = await sealerFor(app)
  const sealed = sealer.encodeSecureSession(sealer.createSecureSession({ subject, signedInAt: now, seenAt: now }))
  return `${SESSION_COOKIE}=${encodeURIComponent(sealed)}`
}
