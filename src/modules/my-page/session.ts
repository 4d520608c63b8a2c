// The page's session: an encrypted, signed cookie (no server-side store) with an idle and an absolute lifetime.

import type {} from '@fastify/secure-session'
import type { FastifyRequest } from 'fastify'
import type { PageConfig } from '../../config.js'
import type { Language } from './i18n.js'

declare module '@fastify/secure-session' {
  interface SessionData {
    /** The signed-in identity (OIDC `sub`, or a demo subject in development). */
    subject: string
    signedInAt: number
    seenAt: number
    lang: Language
    /** Between the redirect to the identity provider and its callback. */
    oidc: { state: string; nonce: string; verifier: string }
  }
}

export const SESSION_COOKIE = 'polku_session'

export function signIn(request: FastifyRequest, subject: string, now = Date.now()): void {
  // A new session on sign-in: nothing from before (e.g. a planted CSRF secret) carries over but the language.
  request.session.regenerate(['lang'])
  request.session.set('subject', subject)
  request.session.set('signedInAt', now)
  request.session.set('seenAt', now)
}

export function signOut(request: FastifyRequest): void {
  request.session.regenerate(['lang'])
}

/** The signed-in subject, or null when there is none or it has outlived either lifetime (then it is ended). */
export function currentSubject(request: FastifyRequest, config: PageConfig, now = Date.now()): string | null {
  const subject = request.session.get('subject')
  const signedInAt = request.session.get('signedInAt')
  const seenAt = request.session.get('seenAt')
  if (!subject || typeof signedInAt !== 'number' || typeof seenAt !== 'number') return null
  if (now - seenAt > config.sessionIdleMinutes * 60_000 || now - signedInAt > config.sessionMaxHours * 3_600_000) {
    signOut(request)
    return null
  }
  request.session.set('seenAt', now)
  return subject
}
