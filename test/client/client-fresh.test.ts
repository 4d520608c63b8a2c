// The committed typed client (test/client/polku-api.d.ts) is what openapi-typescript makes of the committed contract.
import { readFileSync } from 'node:fs'
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript'
import t from 'tap'

t.test('test/client/polku-api.d.ts matches openapi/openapi.json', async (t) => {
  const contract = new URL('../../openapi/openapi.json', import.meta.url)
  const generated = `${COMMENT_HEADER}${astToString(await openapiTS(contract, { silent: true }))}`
  const committed = readFileSync(new URL('./polku-api.d.ts', import.meta.url), 'utf8')
  t.ok(generated === committed, 'the client is stale: run `npm run client:generate` after `npm run openapi` and commit both')
})
