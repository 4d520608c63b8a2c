// Cursor pagination over a list that changes between pages: no duplicates, nothing skipped, a `next` link.
import { sql } from 'drizzle-orm'
import t from 'tap'
import { queryRows } from '../../src/db/client.js'
import { createAdmin, createAgency } from '../factories.js'
import { build } from '../helper.js'

t.test('cursor pagination', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const before: string[] = []
  for (let i = 0; i < 7; i++) before.push((await createAgency(app, admin, { name: `Agency ${i}` })).id)

  await t.test('walking a list while rows are added sees every earlier row exactly once', async (t) => {
    const seen: string[] = []
    let url: string | undefined = '/v1/agencies?limit=2'
    let pages = 0
    while (url !== undefined) {
      const res = await app.inject({ url, headers: admin.headers })
      t.equal(res.statusCode, 200)
      const { items, nextCursor } = res.json() as { items: { id: string }[]; nextCursor: string | null }
      t.ok(items.length <= 2)
      seen.push(...items.map((a) => a.id))
      pages += 1
      // Someone else keeps registering agencies while we page.
      await createAgency(app, admin, { name: `Added during page ${pages}` })
      if (nextCursor === null) {
        t.notOk(res.headers.link, 'no next link on the last page')
        url = undefined
      } else {
        const link = res.headers.link as string
        t.match(link, /^<\/v1\/agencies\?[^>]*cursor=[^>]+>; rel="next"$/)
        url = link.slice(1, link.indexOf('>'))
        t.equal(new URL(url, 'http://x').searchParams.get('cursor'), nextCursor)
        t.equal(new URL(url, 'http://x').searchParams.get('limit'), '2', 'the link keeps the page size')
      }
      if (pages > 50) throw new Error('pagination does not end')
    }
    t.equal(new Set(seen).size, seen.length, 'no duplicates')
    t.same(
      before.filter((id) => !seen.includes(id)),
      [],
      'nothing that existed before the first page is skipped',
    )
    t.same(seen.slice(0, before.length), before, 'oldest first, in creation order')
  })

  await t.test('page size and cursor are validated', async (t) => {
    const tooMany = await app.inject({ url: '/v1/agencies?limit=101', headers: admin.headers })
    t.equal(tooMany.statusCode, 400)
    const zero = await app.inject({ url: '/v1/agencies?limit=0', headers: admin.headers })
    t.equal(zero.statusCode, 400)
    const forged = await app.inject({ url: '/v1/agencies?cursor=not-a-cursor', headers: admin.headers })
    t.equal(forged.statusCode, 400)
    t.match(forged.json(), { code: 'POLKU_BAD_REQUEST', detail: /cursor/ })
    const full = await app.inject({ url: '/v1/agencies?limit=100', headers: admin.headers })
    const [total] = await queryRows<{ n: number }>(app.database.db, sql`select count(*)::int as n from agencies`)
    t.equal(full.json().items.length, total!.n, 'one page of 100 holds them all')
    t.equal(full.json().nextCursor, null)
  })
})
