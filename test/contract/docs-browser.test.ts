// The API reference at /docs renders its operations in a real headless Chromium (Debian's /usr/bin/chromium).
import { existsSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { chromium } from 'playwright-core'
import t from 'tap'
import { build } from '../helper.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

t.test('/docs shows the first operation of the document', { skip: existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}` }, async (t) => {
  const app = await build(t)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  t.teardown(() => browser.close())
  const page = await browser.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  // The machine that serves the reference may have no internet: nothing may be fetched from elsewhere
  // (a validator badge, fonts, a CDN), or the page waits for a network timeout before it renders.
  const requested: string[] = []
  page.on('request', (request) => requested.push(request.url()))

  const started = Date.now()
  await page.goto(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/docs`)
  const first = page.locator('.opblock').first()
  await first.waitFor({ state: 'visible', timeout: 60_000 })
  // How long it took is measured, not asserted: speed belongs to benchmarks (see the README).
  t.comment(`first operation visible after ${Date.now() - started} ms`)
  t.match(await first.locator('.opblock-summary-path').textContent(), '/health/live', 'the first operation of the document')
  t.same(errors, [], 'no script errors (the strict CSP lets the reference run)')
  t.ok(requested.some((url) => url.endsWith('/docs/json')), 'the document is loaded from the server')
  t.same(
    requested.filter((url) => new URL(url).hostname !== '127.0.0.1'),
    [],
    'no request leaves the server (no validator, font or CDN)',
  )
})
