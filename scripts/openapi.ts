// Writes the OpenAPI document generated from the route schemas to openapi/openapi.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BuildOptions, buildApp } from '../src/app.js'
import { testConfig } from '../src/config.js'

export const OPENAPI_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../openapi/openapi.json')

const WIDTH = 120

/**
 * Two-space JSON that keeps an object or array on one line when it fits in 120 columns: a third
 * of the size of one value per line, and a diff still shows the schema or response that changed.
 */
export function compactJson(value: unknown, indent = ''): string {
  const flat = JSON.stringify(value)
  if (value === null || typeof value !== 'object' || indent.length + flat.length <= WIDTH) return flat
  const inner = `${indent}  `
  const entries = Array.isArray(value)
    ? value.map((item) => `${inner}${compactJson(item, inner)}`)
    : Object.entries(value).map(([key, item]) => `${inner}${JSON.stringify(key)}: ${compactJson(item, inner)}`)
  if (entries.length === 0) return flat
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}']
  return `${open}\n${entries.join(',\n')}\n${indent}${close}`
}

/** The document as committed: compact two-space JSON with a final newline, so the output is byte-stable. */
export async function generateOpenApi(options: Pick<BuildOptions, 'pglite'> = {}): Promise<string> {
  // An in-memory database: the document depends only on the routes, never on data or environment.
  const app = await buildApp(testConfig({ databaseUrl: undefined, dataDir: 'memory://' }), options)
  try {
    await app.ready()
    return `${compactJson(app.swagger())}\n`
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
