// The committed openapi/openapi.json matches the routes, and the document and reference are served.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { generateOpenApi, OPENAPI_FILE } from '../../scripts/openapi.js'
import { build, databaseIndependent } from '../helper.js'
import { openPgliteFromTemplate } from '../setup/databases.js'

databaseIndependent(t)

const generate = async () => generateOpenApi({ pglite: await openPgliteFromTemplate() })

/** Where two documents first differ, in a few lines a person can read (a full diff is thousands). */
function firstDifference(committed: string, generated: string): string | null {
  if (committed === generated) return null
  const a = committed.split('\n')
  const b = generated.split('\n')
  let line = 0
  while (line < a.length && a[line] === b[line]) line++
  const paths = (doc: string) => Object.keys(JSON.parse(doc).paths ?? {})
  const added = paths(generated).filter((p) => !paths(committed).includes(p))
  const removed = paths(committed).filter((p) => !paths(generated).includes(p))
  return [
    `line ${line + 1}: committed ${JSON.stringify(a[line] ?? '<end>')}, generated ${JSON.stringify(b[line] ?? '<end>')}`,
    added.length ? `paths only in the routes: ${added.join(', ')}` : '',
    removed.length ? `paths only in the file: ${removed.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('\n')
}

t.test('openapi/openapi.json is what the route schemas generate', async (t) => {
  const generated = await generate()
  const committed = readFileSync(OPENAPI_FILE, 'utf8')
  t.equal(firstDifference(committed, generated), null, 'openapi/openapi.json is stale: run `npm run openapi` and commit it')
  t.equal(await generate(), generated, 'generation is deterministic')
})

t.test('the document describes the API', async (t) => {
  const document = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'))
  t.equal(document.openapi, '3.1.0')
  t.match(document.info, { title: 'Polku API' })
  t.ok(document.paths['/health/ready']?.get, 'health is documented')
  t.ok(document.paths['/v1/agencies']?.post, 'the /v1 routes are documented')
  t.notOk(document.paths['/openapi.json'], 'the document does not describe itself')
  t.notOk(
    Object.keys(document.paths).some((path) => path.startsWith('/docs')),
    'the interactive reference is not part of the API',
  )
})

t.test('the document and the interactive reference are served', async (t) => {
  const app = await build(t)

  const json = await app.inject({ method: 'GET', url: '/openapi.json' })
  t.equal(json.statusCode, 200)
  t.match(json.headers['content-type'], /^application\/json/)
  t.match(json.json(), { openapi: '3.1.0', info: { title: 'Polku API' }, paths: { '/health/ready': { get: {} } } })
  t.same(json.json(), app.swagger(), 'the document of the running routes is served')
  // Partners and /docs load the whole document: shared components keep it small. The target is 200 KB;
  // these bounds are where the document stands today, so any growth back towards inlining fails.
  const kilobytes = Buffer.byteLength(json.body) / 1024
  t.comment(`served document: ${kilobytes.toFixed(0)} KB`)
  t.ok(kilobytes < 320, `the served document is under 320 KB (${kilobytes.toFixed(0)} KB)`)
  const committed = Buffer.byteLength(readFileSync(OPENAPI_FILE)) / 1024
  t.ok(committed < 450, `openapi/openapi.json is under 450 KB (${committed.toFixed(0)} KB)`)

  const docs = await app.inject({ method: 'GET', url: '/docs' })
  t.equal(docs.statusCode, 200)
  t.match(docs.headers['content-type'], /^text\/html/)
  t.match(docs.body, /<html/i)

  const initializer = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' })
  t.equal(initializer.statusCode, 200, 'the reference loads its script')
})
