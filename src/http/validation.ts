// Request validation: bodies are validated as sent (no coercion); query, path and headers convert text.
import { AjvCompiler } from '@fastify/ajv-compiler'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifyServerOptions } from 'fastify'

/** Options shared by both validators: closed schemas are refused (never trimmed), one error at a time. */
const COMMON = { removeAdditional: false, useDefaults: true, allErrors: false } as const

/**
 * One pool per process. Ajv keeps what it compiled per schema object, and the route schemas are
 * module constants, so every app built in this process (a test file builds many) reuses them.
 */
const validatorPool = AjvCompiler()
const serializerPool = SerializerSelector()

type Serializer = (doc: unknown) => string
/** Response serializers by schema object, then by the shared schemas and options they were built with. */
const serializers = new WeakMap<object, Map<string, Serializer>>()

/**
 * Query strings, path parameters and headers are text on the wire, so `?limit=20` must become 20.
 * A JSON body already has types: `{"title": false}` is a wrong type, never the string "false".
 */
export function validatorCompilers(): NonNullable<FastifyServerOptions['schemaController']> {
  return {
    compilersFactory: {
      buildValidator: (externalSchemas) => {
        const plugins: [] = []
        const converting = validatorPool(externalSchemas, { customOptions: { ...COMMON, coerceTypes: 'array' }, plugins })
        const exact = validatorPool(externalSchemas, { customOptions: { ...COMMON, coerceTypes: false }, plugins })
        return (route) => (route.httpPart === 'body' ? exact(route) : converting(route))
      },
      buildSerializer: (externalSchemas, options) => {
        const build = serializerPool(externalSchemas, options as never)
        const key = JSON.stringify([externalSchemas ?? null, options ?? null])
        return (route) => {
          const schema = route.schema
          if (typeof schema !== 'object' || schema === null) return build(route as never) as Serializer
          const built = serializers.get(schema) ?? new Map<string, Serializer>()
          serializers.set(schema, built)
          const serialize = built.get(key) ?? (build(route as never) as Serializer)
          built.set(key, serialize)
          return serialize
        }
      },
    },
  }
}
