// buildApp(config): the whole wiring of Polku in one place. It never listens; server.ts does.
import { randomUUID } from 'node:crypto'
import type { PGlite } from '@electric-sql/pglite'
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify'
import fp from 'fastify-plugin'
import { authenticate } from './auth/authenticate.js'
import { principalId } from './auth/principal.js'
import type { Config } from './config.js'
import { type Database, openDatabase, withRequestDeadline } from './db/client.js'
import { problemCodeOf, registerErrorHandling } from './errors.js'
import { validatorCompilers } from './http/validation.js'
import { loadShedding } from './http/load-shedding.js'
import { healthRoutes } from './modules/health/health.routes.js'
import { linkAttempts } from './modules/linking/link-attempts.js'
import { myPage } from './modules/my-page/my-page.plugin.js'
import { v1Routes } from './modules/v1.js'
import { webhookWorker } from './modules/webhooks/worker.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    database: Database
    /** `draining` turns true when shutdown begins: readiness answers 503 from then on. */
    lifecycle: { draining: boolean }
  }
}

export interface BuildOptions {
  /** A PGlite already holding a migrated database (tests); otherwise the config decides. */
  pglite?: PGlite
  /** Where log lines go (tests capture them); defaults to stdout. */
  logStream?: NodeJS.WritableStream
}

/** A stable operationId from method and path: POST /v1/young-persons/:id/consents → postYoungPersonsByIdConsents. */
function operationId(method: string, url: string): string {
  const words = url
    .split('/')
    .filter((part) => part !== '' && part !== 'v1')
    .map((part) => (part.startsWith(':') ? `by-${part.slice(1)}` : part))
    .join('-')
    .split(/[-_.]/)
    .filter(Boolean)
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** Log redaction: credentials and every personal-data field name, wherever they appear. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.givenName',
  '*.familyName',
  '*.birthDate',
  '*.email',
  '*.phone',
  '*.body',
  '*.purpose',
  '*.evidence',
  '*.reason',
  '*.clientSecret',
  '*.client_secret',
  '*.secret',
]

function loggerOptions(config: Config, stream: NodeJS.WritableStream | undefined): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(stream ? { stream } : {}),
  } as FastifyServerOptions['logger']
}

const databasePlugin = fp(
  async (app: FastifyInstance, { config, pglite }: { config: Config; pglite?: PGlite }) => {
    const database = await openDatabase(config, { pglite, migrate: true })
    app.decorate('database', database)
    app.addHook('onClose', async () => database.close())
  },
  { name: 'polku-database' },
)

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config, options.logStream),
    // One line per request comes from the onResponse hook below, not from Fastify's pair of lines.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    return503OnClosing: true,
    // Opening the database applies pending migrations, which on a busy machine or a slow server outlasts Fastify's 10 s default.
    pluginTimeout: 120_000,
    schemaController: validatorCompilers(),
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.decorate('config', config)
  app.decorate('lifecycle', { draining: false })
  registerErrorHandling(app)
  // Every transaction a request opens ends by the request's deadline (a 503 past it).
  app.addHook('onRequest', (_request, _reply, done) => withRequestDeadline(Date.now() + config.requestDeadlineMs, done))
  await app.register(loadShedding, { overload: config.overload })
  // JSON only (plus the form-encoded OAuth token request): any other body is a 415, not a string.
  app.removeContentTypeParser('text/plain')

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        code: problemCodeOf(request),
      },
      'request completed',
    )
  })

  await app.register(swagger, {
    transform: ({ schema, url, route }) => ({
      url,
      schema: { ...schema, operationId: (schema as { operationId?: string }).operationId ?? operationId(String(route.method), url) },
    }),
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Polku API',
        version: '1.0.0',
        description:
          'Consent-first case coordination for one-stop youth guidance centres. Access to a young person\'s data happens only through explicit, revocable consent.',
        license: { name: 'UNLICENSED' },
      },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearerAuth: [] }],
      tags: [
        { name: 'health', description: 'Liveness and readiness' },
        { name: 'auth', description: 'Partner token endpoint' },
        { name: 'registry', description: 'Agencies, professionals, centres and partner clients (admin)' },
        { name: 'young-persons', description: 'Intake and the caseload' },
        { name: 'consent', description: 'Granting, requesting and revoking consent' },
        { name: 'pathway', description: 'Goals, steps, notes, team and timeline' },
        { name: 'referrals', description: 'Referrals between agencies' },
        { name: 'me', description: "The young person's own view" },
        { name: 'visits', description: 'Anonymous visits and statistics' },
        { name: 'audit', description: 'Audit trail (auditors)' },
        { name: 'webhooks', description: 'Partner webhooks' },
      ],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  await app.register(databasePlugin, { config, pglite: options.pglite })
  await app.register(authenticate, { jwt: config.jwt })
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitPerMinute,
    timeWindow: '1 minute',
    hook: 'preHandler',
    allowList: (request) => !request.url.startsWith('/v1/'),
    keyGenerator: (request) => (request.principal ? principalId(request.principal) : request.ip),
    errorResponseBuilder: (_request, context) => {
      const error = new Error(`Rate limit exceeded; retry in ${Math.ceil(context.ttl / 1000)} s`) as Error & {
        statusCode: number
        code: string
        headers: Record<string, string>
      }
      error.statusCode = 429
      error.code = 'POLKU_RATE_LIMITED'
      error.headers = { 'retry-after': String(Math.ceil(context.ttl / 1000)) }
      return error
    },
  })

  await app.register(linkAttempts)
  await app.register(healthRoutes)
  await app.register(v1Routes, { prefix: '/v1' })
  // The young person's own page: HTML, its own session cookie, CSRF and CSP, scoped to /my.
  await app.register(myPage, { prefix: '/my' })
  await app.register(webhookWorker)
  return app
}
