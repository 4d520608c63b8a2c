// A real world for browser tests: Polku listening on 127.0.0.1, an OpenID Connect provider beside it, headless Chromium.
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
// @ts-expect-error oidc-provider ships no type declarations
import Provider from 'oidc-provider'
import { type Browser, chromium, type Page } from 'playwright-core'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../../src/config.js'
import { createAdmin, createAgency, createAuditor, createProfessional, createYoungPerson } from '../factories.js'
import type { Test } from '../helper.js'
import { openPgliteFromTemplate } from '../setup/databases.js'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

export interface BrowserWorld {
  app: FastifyInstance
  base: string
  browser: Browser
}

/** Starts the identity provider (any login name becomes the subject), Polku and Chromium; all closed at teardown. */
export async function browserWorld(t: Test): Promise<BrowserWorld> {
  const [idpPort, appPort] = [await freePort(), await freePort()]
  const issuer = `http://127.0.0.1:${idpPort}`
  const base = `http://127.0.0.1:${appPort}`
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'polku-page', client_secret: 'page-secret-for-tests', redirect_uris: [`${base}/my/callback`], grant_types: ['authorization_code'], response_types: ['code'] }],
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
    pkce: { required: () => true },
  } as never)
  const idp: Server = provider.listen(idpPort, '127.0.0.1') as unknown as Server
  const pglite = await openPgliteFromTemplate()
  const config = testConfig({ logLevel: 'silent' })
  const app = await buildApp(
    { ...config, page: { ...config.page, oidc: { issuer, clientId: 'polku-page', clientSecret: 'page-secret-for-tests', redirectUri: `${base}/my/callback` } } },
    { pglite },
  )
  await app.listen({ host: '127.0.0.1', port: appPort })
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  t.teardown(async () => {
    await browser.close()
    await app.close()
    await new Promise((resolve) => idp.close(resolve))
  })
  return { app, base, browser }
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']

export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE })
  const result = await page.evaluate(async (tags) => {
    const axe = (globalThis as unknown as { axe: { run(o: unknown): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe
    return axe.run({ runOnly: { type: 'tag', values: tags } })
  }, TAGS)
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
}

export async function scenario(world: BrowserWorld) {
  const { app } = world
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { name: 'Youth Health Services', kind: 'health_services' })
  const counsellor = await createProfessional(app, admin, { agencyId: agency.id, role: 'nurse', displayName: 'Laura Nurse' })
  const person = await createYoungPerson(app, counsellor, { givenName: 'Aada', categories: ['identity', 'health'] })
  const auditor = await createAuditor(app)
  return { admin, counsellor, person, auditor }
}

/** Presses Tab until the focused element's text (or value) includes `text`, then Enter: the keyboard is the only input. */
export async function tabTo(page: Page, text: string, press = 'Enter') {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab')
    const focused = await page.evaluate(`(() => { const el = document.activeElement; return (el?.textContent ?? '') + ' ' + (el?.getAttribute('name') ?? '') + ' ' + (el?.id ?? '') })()`)
    if (String(focused).includes(text)) {
      if (press) await page.keyboard.press(press)
      return
    }
  }
  throw new Error(`could not reach "${text}" with the keyboard`)
}

export async function signInAtProvider(page: Page, login: string, keyboard: boolean) {
  await page.waitForSelector('input[name="login"]')
  if (keyboard) {
    await page.focus('input[name="login"]')
    await page.keyboard.type(login)
    await page.keyboard.press('Tab')
    await page.keyboard.type('any-password')
    await page.keyboard.press('Enter')
    await page.waitForSelector('button.login-submit >> text=Continue')
    await page.keyboard.press('Enter')
  } else {
    await page.fill('input[name="login"]', login)
    await page.fill('input[name="password"]', 'any-password')
    await page.click('button[type="submit"]')
    await page.click('button:has-text("Continue")')
  }
  await page.waitForURL(/\/my\/(\?.*)?$/)
}

