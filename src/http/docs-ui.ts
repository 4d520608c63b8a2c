// The browser side of /docs: how the bundled Swagger UI reads Polku's OpenAPI 3.1 document quickly.

/**
 * A script served next to Swagger UI that adds one plugin: `$ref`s are resolved with the JSON
 * reference resolver Swagger UI uses for 3.0 documents instead of its 3.1 one, which first
 * converts the whole document into its own element tree and keeps /docs on a spinner for
 * seconds (swagger-api/swagger-ui#10748). Polku's `$ref`s are plain JSON pointers into
 * `components`, which both resolve alike; the page still renders the document as 3.1. The same
 * plugin reads the document with JSON.parse rather than the YAML parser Swagger UI uses for all.
 */
export const FAST_RESOLVE_SCRIPT = `;(function () {
  var bundle = window.SwaggerUIBundle
  function fastResolve(system) {
    var client = bundle.plugins.SwaggerClient({ configs: {}, getConfigs: system.getConfigs })
    function asJsonReferences(spec) {
      return spec && typeof spec.openapi === 'string' && spec.openapi.indexOf('3.1.') === 0 ? Object.assign({}, spec, { openapi: '3.0.4' }) : spec
    }
    return {
      fn: {
        resolve: function (options) {
          var version = options && options.spec && options.spec.openapi
          return client.fn.resolve(Object.assign({}, options, { spec: asJsonReferences(options.spec) })).then(function (result) {
            if (result && result.spec && version) result.spec.openapi = version
            return result
          })
        },
        resolveSubtree: function (spec, path, options) {
          return client.fn.resolveSubtree(asJsonReferences(spec), path, options)
        },
      },
      statePlugins: {
        spec: {
          wrapActions: {
            // The document is JSON: JSON.parse reads it in milliseconds, where the YAML parser takes a second.
            parseToJson: function (original, system) {
              return function (text) {
                var json
                try {
                  json = JSON.parse(text || system.specSelectors.specStr())
                } catch (error) {
                  return original(text)
                }
                system.errActions.clear({ source: 'parser' })
                return system.specActions.updateJsonSpec(json && typeof json === 'object' ? json : {})
              }
            },
          },
        },
      },
    }
  }
  window.SwaggerUIBundle = Object.assign(function (config) {
    return bundle(Object.assign({}, config, { plugins: (config.plugins || []).concat([fastResolve]) }))
  }, bundle)
})()
`
