// POST /v1/me/link: a signed-in identity not yet linked to a record claims it with the code from intake.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { responses, Uuid } from '../../http/schemas.js'
import { LinkRefusedError, linkRefusalError } from './link-codes.service.js'
import { linkLogin, tooManyCodes } from './link-login.js'

const LinkBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 40, description: 'The link code you were given at intake, e.g. 7K2QM-9XD4F' }) },
  { additionalProperties: false, title: 'LinkCode' },
)

const Linked = Type.Object(
  { youngPersonId: Uuid('Your record, now linked to this sign-in') },
  { additionalProperties: false, title: 'Linked' },
)

export const linkRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/me/link',
    {
      schema: {
        tags: ['me'],
        summary: 'Link this sign-in to your record with the one-time code from intake',
        description: 'The token must be valid; its subject must not yet belong to an account. Wrong codes are limited and audited.',
        body: LinkBody,
        response: responses({ 200: Linked }, 401, 409, 422, 429),
      },
    },
    async function linkWithCode(request) {
      const { subject } = await app.verifiedSubject(request)
      const outcome = await linkLogin(app, request, subject, request.body.code)
      if ('wait' in outcome) throw tooManyCodes(outcome.wait)
      if (outcome.result instanceof LinkRefusedError) throw linkRefusalError(outcome.result)
      return outcome.result
    },
  )
}
