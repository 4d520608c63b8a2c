// Wrong link codes are limited per sign-in identity: a few tries per window, so 50-bit codes cannot be guessed.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

export const WRONG_CODES_PER_WINDOW = 5
const WINDOW = '15 minutes'

declare module 'fastify' {
  interface FastifyInstance {
    linkAttempts: {
      /** Seconds `subject` must wait before trying another code; 0 when a try is allowed. */
      wait(request: FastifyRequest, subject: string): Promise<number>
      /** Counts one wrong code against `subject`. */
      failed(request: FastifyRequest, subject: string): Promise<void>
    }
  }
}

const subjects = new WeakMap<FastifyRequest, string>()

async function linkAttemptsPlugin(app: FastifyInstance): Promise<void> {
  const limiter = app.createRateLimit({
    max: WRONG_CODES_PER_WINDOW,
    timeWindow: WINDOW,
    keyGenerator: (request) => `link:${subjects.get(request) ?? request.ip}`,
  })
  app.decorate('linkAttempts', {
    async wait(request: FastifyRequest, subject: string) {
      subjects.set(request, subject)
      const result = await limiter(request, { increment: false })
      return !result.isAllowed && result.remaining === 0 ? Math.max(1, result.ttlInSeconds) : 0
    },
    async failed(request: FastifyRequest, subject: string) {
      subjects.set(request, subject)
      await limiter(request)
    },
  })
}

export const linkAttempts = fp(linkAttemptsPlugin, { name: 'polku-link-attempts' })
