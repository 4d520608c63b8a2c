// The young person's page in real headless Chromium: OIDC sign-in, linking, withdrawal, who looked, questions, a new consent, keyboard.
import t from 'tap'
import { onPostgres } from '../helper.js'
import { browserWorld, scenario, signInAtProvider, tabTo } from './browser-world.js'

// One browser run is enough: the page's SQL is the API's, which every suite runs on both databases.
if (onPostgres) t.comment('browser tests run on embedded PGlite only')
t.setTimeout(600_000)

for (const keyboard of onPostgres ? [] : [false, true]) {
  t.test(`sign in, link, withdraw, see the refusal, question it, read the answer and grant anew${keyboard ? ' — keyboard only' : ''}`, async (t) => {
    const world = await browserWorld(t)
    const { app, base, browser } = world
    const { counsellor, person, auditor } = await scenario(world)
    const context = await browser.newContext({ locale: 'en-GB', bypassCSP: true })
    const page = await context.newPage()
    await page.route(/fonts\.googleapis\.com/, (route) => route.abort())

    await page.goto(`${base}/my/`)
    if (keyboard) await tabTo(page, 'Sign in')
    else await page.click('text=Sign in')
    await signInAtProvider(page, `young-${keyboard ? 'k' : 'm'}`, keyboard)

    t.equal(await page.textContent('h1'), 'Connect your sign-in to your information')
    if (keyboard) {
      await tabTo(page, 'code', '')
      await page.keyboard.type(person.linkCode!.toLowerCase())
      await page.keyboard.press('Enter')
    } else {
      await page.fill('#code', person.linkCode!)
      await page.click('button:has-text("Connect")')
    }
    await page.waitForSelector('h1:has-text("Hello, Aada")')
    t.match(await page.textContent('#consents'), /Laura Nurse \(nurse, Youth Health Services\) may read and add to your name and contact details and health notes until/)

    t.match(
      await page.textContent('#consents'),
      /You gave this consent in person\. Laura Nurse \(nurse, Youth Health Services\) recorded it on \d+ \w+ \d{4}\. Proof of your consent: FORM-2026-001\./,
      'the in-person consent says who recorded it and the evidence',
    )

    // The nurse writes a health note and reads the record once under the consent, then the young person withdraws it.
    const note = await app.inject({ method: 'POST', url: `/v1/young-persons/${person.id}/notes`, headers: counsellor.headers, payload: { category: 'health', body: 'Sleeps badly before exams.' } })
    t.equal(note.statusCode, 201, note.body)
    t.equal((await app.inject({ method: 'GET', url: `/v1/young-persons/${person.id}`, headers: counsellor.headers })).statusCode, 200)
    if (keyboard) await tabTo(page, 'Withdraw')
    else await page.click('#consents a:has-text("Withdraw")')
    await page.waitForSelector('h1:has-text("Withdraw this consent?")')
    if (keyboard) await tabTo(page, 'Yes, withdraw')
    else await page.click('button:has-text("Yes, withdraw")')
    await page.waitForSelector('[role="status"]:has-text("Your consent is withdrawn")')

    const after = await app.inject({ method: 'GET', url: `/v1/young-persons/${person.id}`, headers: counsellor.headers })
    t.equal(after.statusCode, 404, "the professional's next request is a 404")

    await page.reload()
    const log = await page.textContent('#log')
    t.match(log, /Laura Nurse, nurse, Youth Health Services/)
    t.match(log, /tried to read your record once, but was refused/)
    t.match(log, /read your name and contact details once, under your consent of/)

    if (keyboard) await tabTo(page, 'Question this')
    else await page.click('#log a:has-text("Question this")')
    await page.waitForSelector('h1:has-text("Question this")')
    const words = 'Why did the nurse try to open my record after I withdrew?'
    if (keyboard) {
      await tabTo(page, 'question', '')
      await page.keyboard.type(words)
      await tabTo(page, 'Send')
    } else {
      await page.fill('#question', words)
      await page.click('button:has-text("Send")')
    }
    await page.waitForSelector('[role="status"]:has-text("data protection officer")')

    const open = await app.inject({ method: 'GET', url: '/v1/audit/review-items?status=open', headers: auditor.headers })
    t.equal(open.statusCode, 200)
    const [item] = open.json().items
    t.equal(item.question, words)
    t.match(item.actor, { name: 'Laura Nurse', role: 'nurse', agencyName: 'Youth Health Services' })
    const answered = await app.inject({
      method: 'POST',
      url: `/v1/audit/review-items/${item.id}/answer`,
      headers: auditor.headers,
      payload: { answer: 'Her system retried an old page; the attempt was refused and nothing was shown.' },
    })
    t.equal(answered.statusCode, 200, answered.body)

    await page.reload()
    t.match(await page.textContent('#log'), /Her system retried an old page/)

    // She held a consent, so she is on the team: the young person grants her health notes anew from the page.
    const healthNotes = () => app.inject({ method: 'GET', url: `/v1/young-persons/${person.id}/notes?category=health`, headers: counsellor.headers })
    t.equal((await healthNotes()).statusCode, 404, 'before the new consent the nurse gets a 404')
    t.match(await page.textContent('#consents'), /\(withdrawn\).*You withdrew it on/s, 'the withdrawn consent says who withdrew it')
    if (keyboard) {
      await tabTo(page, 'Give a new consent')
      await page.waitForSelector('h1:has-text("Give a new consent")')
      await tabTo(page, 'grantee-0', 'Space')
      await tabTo(page, 'cat-health', 'Space')
      await tabTo(page, 'purpose', '')
      await page.keyboard.type('So that the nurse can help me sleep')
      await tabTo(page, 'Give consent')
    } else {
      await page.click('#consents a:has-text("Give a new consent")')
      await page.check('label:has-text("Laura Nurse (nurse, Youth Health Services)")')
      await page.check('label:text-is("health notes")')
      await page.fill('#purpose', 'So that the nurse can help me sleep')
      await page.click('button:has-text("Give consent")')
    }
    await page.waitForSelector('[role="status"]:has-text("Your consent is given")')
    t.match(await page.textContent('#consents'), /Laura Nurse \(nurse, Youth Health Services\) may read your health notes until .*You gave this consent here on/s)
    const granted = await healthNotes()
    t.equal(granted.statusCode, 200, "the nurse's next read of health notes succeeds")
    t.match(granted.json().items, [{ category: 'health', body: 'Sleeps badly before exams.' }])
    await page.click('#consents li:has-text("may read your health notes") a:has-text("Details, change and receipt")')
    t.match(await page.textContent('pre'), /"plainLanguage": "You allow Laura Nurse to read your health information until/, 'its receipt')
    await context.close()
  })
}
