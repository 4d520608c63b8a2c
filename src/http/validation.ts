// Request validation: bodies are validated as sent (no coercion); query, path and headers convert text.
import { AjvCompiler } from '@fastify/ajv-compiler'
import type { FastifyServerOptions } from 'fastify'

/** Options shared by both validators: closed schemas are refused (never trimmed), one error at a time. */
const COMMON = { removeAdditional: false, useDefaults: true, allErrors: false } as const

/**
 * Query strings, path parameters and headers are text on the wire, so `?limit=20` must become 20.
 * A JSON body already has types: `{"title": false}` is a wrong type, never the string "false".
 */
export function validatorCompilers(): NonNullable<FastifyServerOptions['schemaController']> {
  const selector = AjvCompiler()
  return {
    compilersFactory: {
      buildValidator: (externalSchemas) => {
        const plugins: [] = []
        const converting = selector(externalSchemas, { customOptions: { ...COMMON, coerceTypes: 'array' }, plugins })
        const exact = selector(externalSchemas, { customOptions: { ...COMMON, coerceTypes: false }, plugins })
        return (route) => (route.httpPart === 'body' ? exact(route) : converting(route))
      },
    },
  }
}
