// Every route that can reach a young person's data has a row in the authorization matrix, or a stated reason why not.
import { channel } from 'node:diagnostics_channel'
import type { FastifyInstance, RouteOptions } from 'fastify'
import t from 'tap'
import { build, databaseIndependent } from '../helper.js'
import { OPERATIONS } from './matrix.data.js'

databaseIndependent(t)

/** Where personal data lives: a new route under one of these needs a matrix row (or an entry below). */
const PERSONAL_PREFIXES = [
  '/v1/young-persons',
  '/v1/me',
  '/v1/consents',
  '/v1/consent-requests',
  '/v1/caseload',
  '/v1/goals',
  '/v1/steps',
  '/v1/referrals',
  '/v1/erasure-requests',
  '/v1/legal-holds',
  '/v1/audit',
  '/my',
]

/** Routes under those prefixes without a matrix row: why, and where their rules are tested instead. */
const EXEMPT: Record<string, string> = {
  // Intake makes the record: there is no young person yet to hold a consent about. By kind in roles.test.ts.
  'POST /v1/young-persons': 'creates the record (professionals only)',
  // The auditor's view of the chain: hashes and counts, no young person's content. By kind in roles.test.ts and test/audit.
  'GET /v1/audit/head': 'hash-chain heads (auditor only)',
  'GET /v1/audit/verify': 'hash-chain verification (auditor only)',
  'POST /v1/audit/verify': 'checks a saved snapshot of the heads (auditor only); test/audit/verify.test.ts',
  'GET /v1/audit/erasure-notices': 'delivery state of erasure notices to partners (auditor only); test/retention/lifecycle.test.ts',
  // A list filtered by the caller's own rules (the professional's sent requests, the young person's received ones): test/consent/request-list.test.ts.
  'GET /v1/consent-requests': 'lists only what the caller asked or was asked',
  // The young person's answer to a request, and the receiving side's other steps: each needs a record of its own in
  // one state (a waiting consent request; a pending or an accepted referral). test/consent, test/referrals/lifecycle.test.ts.
  'POST /v1/consent-requests/{id}/approve': 'the young person approves a waiting request',
  'POST /v1/consent-requests/{id}/decline': 'the young person declines a waiting request',
  'POST /v1/referrals/{id}/decline': 'the receiver declines a pending referral',
  'POST /v1/referrals/{id}/complete': 'the receiver completes an accepted referral',
  // The young person's own closing and reopening (no id: their token names the record); the matrix closes and reopens
  // through /v1/young-persons/{id}/pathway. test/retention/lifecycle.test.ts.
  'POST /v1/me/pathway/close': 'the young person closes their own pathway',
  'POST /v1/me/pathway/reopen': 'the young person reopens their own pathway',
  // The young person's page: a session, not a token, names the caller, and every page acts on the signed-in young
  // person's own record through the API's services (one row, POST /my/grant, shows who the page answers). test/my-page.
  'GET /my': 'overview of the signed-in young person',
  'GET /my/accessibility': 'accessibility statement, no data',
  'GET /my/assets/*': 'styles and images, no data',
  'GET /my/language/{lang}': 'language choice, no data',
  'GET /my/sign-in': 'starts the identity provider sign-in',
  'GET /my/callback': 'ends the identity provider sign-in',
  'POST /my/sign-out': 'ends the session',
  'GET /my/demo-sign-in': 'demo subjects, never in production',
  'POST /my/demo-sign-in': 'demo sign-in, never in production',
  'POST /my/link': 'links the signed-in identity with a code, through the same service as POST /v1/me/link',
  'GET /my/grant': 'the new-consent form',
  'GET /my/consents/{id}': 'one of the young person’s own consents',
  'GET /my/consents/{id}/withdraw': 'confirmation before withdrawing one of their own consents',
  'POST /my/consents/{id}/withdraw': 'withdraws one of their own consents',
  'POST /my/consents/{id}/change': 'replaces one of their own consents',
  'POST /my/requests/{id}/{decision}': 'approves or declines a request made to them',
  'GET /my/question/{id}': 'the question form about an access',
  'POST /my/question/{id}': 'asks about an access in their own access log, through the same service as POST /v1/me/review-items',
  'GET /my/export': 'downloads their own data, through the same service as GET /v1/me/export',
}

const underPersonalPrefix = (path: string) => PERSONAL_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))

/** `METHOD /path/{param}`, as the matrix names its operations. */
const routeKey = (method: string, url: string) => `${method} ${url.replace(/:(\w+)/g, '{$1}')}`

/** Every route an app built like the tests' registers, seen as it is added (HEAD answers come with GET). */
async function registeredRoutes(t: Parameters<typeof build>[0]): Promise<Set<string>> {
  const routes = new Set<string>()
  // Fastify announces each new instance here before any plugin runs, so the hook sees every route.
  const initialization = channel('fastify.initialization')
  const watch = (message: unknown) => {
    ;(message as { fastify: FastifyInstance }).fastify.addHook('onRoute', (route: RouteOptions) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD') routes.add(routeKey(method, route.url))
    })
  }
  initialization.subscribe(watch)
  try {
    await build(t)
  } finally {
    initialization.unsubscribe(watch)
  }
  return routes
}

t.test('every route under a personal-data prefix has a matrix row or a stated exemption', async (t) => {
  const routes = await registeredRoutes(t)
  t.ok(routes.has('GET /v1/young-persons/{id}'), 'the listing holds the app’s routes')

  // A matrix operation is named by its method and path first: `POST /v1/me/link`, `GET /v1/goals/{id} shows its step`.
  const rows = new Set(Object.keys(OPERATIONS).map((name) => name.split(' ').slice(0, 2).join(' ')))
  t.same(
    Object.entries(OPERATIONS).filter(([name, op]) => !name.startsWith(`${op.method} `)).map(([name]) => name),
    [],
    'every matrix operation’s name starts with its method',
  )
  t.same([...rows].filter((row) => !routes.has(row)), [], 'every matrix row names a registered route')

  const personal = [...routes].filter((route) => underPersonalPrefix(route.split(' ')[1]!)).sort()
  t.same(
    personal.filter((route) => !rows.has(route) && !(route in EXEMPT)),
    [],
    'a route under a personal-data prefix needs a row in matrix.data.ts (or a reason in EXEMPT)',
  )
  t.same(
    Object.keys(EXEMPT).filter((route) => !personal.includes(route) || rows.has(route)),
    [],
    'every exemption names a registered personal-data route that has no row',
  )
})
