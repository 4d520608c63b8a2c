// axe-core (WCAG 2.1 A and AA) on every page of /my/, in Finnish, Swedish and English, in headless Chromium.
import t from 'tap'
import { onPostgres } from '../helper.js'
import { axeViolations, browserWorld, scenario, signInAtProvider } from './browser-world.js'

if (onPostgres) t.comment('browser tests run on embedded PGlite only')
t.setTimeout(600_000)

if (!onPostgres) t.test('axe-core finds no WCAG 2.1 A/AA violation on any page, in Finnish, Swedish and English', async (t) => {
  const world = await browserWorld(t)
  const { app, base, browser } = world
  const { person } = await scenario(world)
  const context = await browser.newContext({ bypassCSP: true })
  const page = await context.newPage()
  await page.route(/fonts\.googleapis\.com/, (route) => route.abort())
  const check = async (lang: string, what: string) => {
    t.equal(await page.getAttribute('html', 'lang'), lang, `${what} declares lang=${lang}`)
    t.same(await axeViolations(page), [], `${what} (${lang})`)
  }
  for (const lang of ['fi', 'sv', 'en']) {
    await page.goto(`${base}/my/language/${lang}?next=/my/`)
    await check(lang, 'sign-in page')
    await page.goto(`${base}/my/accessibility`)
    await check(lang, 'accessibility statement')
    await page.goto(`${base}/my/demo-sign-in`)
    await check(lang, 'demo sign-in')
    // A 404 still renders a page (Chromium reports the status, the page is there).
    await page.goto(`${base}/my/no-such-page`).catch(() => undefined)
    await page.waitForSelector('h1')
    await check(lang, 'error page')
  }
  // Signed in (first language English, then switching): link page with an error, overview, consent, withdrawal, new consent (also with errors).
  await page.goto(`${base}/my/sign-in`)
  await signInAtProvider(page, 'young-axe', false)
  for (const lang of ['fi', 'sv', 'en']) {
    await page.goto(`${base}/my/language/${lang}?next=/my/`)
    if (lang === 'fi') {
      await check(lang, 'link page')
      await page.fill('#code', 'WRONG-CODE1')
      await page.click('form[action="/my/link"] button')
      t.equal(await page.getAttribute('#code', 'aria-invalid'), 'true', 'the error is tied to its field')
      await check(lang, 'link page with an error')
      await page.fill('#code', person.linkCode!)
      await page.click('form[action="/my/link"] button')
    }
    await check(lang, 'overview')
    const consentLink = await page.getAttribute('#consents a[href$="/withdraw"]', 'href')
    await page.goto(`${base}${consentLink!.replace('/withdraw', '')}`)
    await check(lang, 'consent')
    await page.goto(`${base}${consentLink}`)
    await check(lang, 'withdrawal confirmation')
    await page.goto(`${base}/my/grant`)
    t.ok(await page.isVisible('input[name="grantee"]'), 'the new-consent form offers the team')
    await check(lang, 'new-consent form')
    await page.click('form[action="/my/grant"] button[type="submit"]')
    await page.waitForSelector('.error-summary[role="alert"]')
    t.equal(await page.getAttribute('#purpose', 'aria-invalid'), 'true', 'the error is tied to its field')
    await check(lang, 'new-consent form with its errors')
  }
  t.equal((await app.inject({ method: 'GET', url: '/my/' })).statusCode, 200)

  // Reflow (WCAG 1.4.10): a 320 px phone, and 200 % zoom of a 1280 px window (640 CSS px), without sideways scrolling.
  await page.goto(`${base}/my/`)
  const consentLink = await page.getAttribute('#consents a[href$="/withdraw"]', 'href')
  const pages = ['/my/', consentLink!.replace('/withdraw', ''), consentLink!, '/my/grant', '/my/accessibility']
  for (const width of [320, 640]) {
    await page.setViewportSize({ width, height: 800 })
    for (const path of pages) {
      await page.goto(`${base}${path}`)
      const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')
      t.equal(overflow, 0, `${path} at ${width} px: nothing scrolls sideways`)
    }
  }
  // Focus visible (WCAG 2.4.7): every element the keyboard reaches on the overview shows an outline or a ring.
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(`${base}/my/`)
  const unmarked: string[] = []
  let reached = 0
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press('Tab')
    const focus = (await page.evaluate(`(() => {
      const el = document.activeElement
      if (!el || el === document.body) return null
      const style = getComputedStyle(el)
      const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none'
      return { ring, what: el.tagName + ' ' + (el.textContent ?? '').trim().slice(0, 40) }
    })()`)) as { ring: boolean; what: string } | null
    if (focus) reached++
    if (focus && !focus.ring) unmarked.push(focus.what)
  }
  t.ok(reached >= 20, `the keyboard reached ${reached} elements`)
  t.same(unmarked, [], 'the keyboard focus is visible on every element it reaches')
  await context.close()
})
