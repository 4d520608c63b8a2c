// Writes the OpenAPI document generated from the route schemas to openapi/openapi.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BuildOptions, buildApp } from '../src/app.js'
import { testConfig } from '../src/config.js'

export const OPENAPI_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../openapi/openapi.json')

/** The document as committed: two-space JSON with a final newline, so the output is byte-stable. */
export async function generateOpenApi(options: Pick<BuildOptions, 'pglite'> = {}): Promise<string> {
  // An in-memory database: the document depends only on the routes, never on data or environment.
  const app = await buildApp(testConfig({ databaseUrl: undefined, dataDir: 'memory://' }), options)
  try {
    await app.ready()
    return `${JSON.stringify(app.swagger(), null, 2)}\n`
  } finally {
    await app.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const document = await generateOpenApi()
  mkdirSync(dirname(OPENAPI_FILE), { recursive: true })
  writeFileSync(OPENAPI_FILE, document)
  process.stdout.write(`wrote ${OPENAPI_FILE}\n`)
}
