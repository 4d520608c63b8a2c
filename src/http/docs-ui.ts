// The browser side of /docs: how the bundled Swagger UI reads Polku's OpenAPI 3.1 document quickly.

/**
 * A script served next to Swagger UI that adds two plugins.
 *
 * `$ref`s are resolved with the JSON reference resolver Swagger UI uses for 3.0 documents instead
 * of its 3.1 one, which first converts the whole document into its own element tree and keeps
 * /docs on a spinner for seconds (swagger-api/swagger-ui#10748). Polku's `$ref`s are plain JSON
 * pointers into `components`, which both resolve alike; the page still renders the document as
 * 3.1. The same plugin reads the document with JSON.parse rather than the YAML parser Swagger UI
 * uses for all.
 *
 * The tags open one after another: Swagger UI renders every operation of every open tag in one go
 * (about a second of the page's main thread for Polku's hundred operations; it only virtualises
 * lists of 150 or more), so the page starts with the tags closed, opens the first one as soon as
 * the document is read, and each next one once the page has painted the one before; the webhooks,
 * always open, come after the last tag. The first operation shows without waiting for the last.
 * Opening goes through the layout's own `layout_show` action, not `layoutActions.show`, which deep
 * linking wraps to push a history entry for each tag.
 */
export const DOCS_UI_SCRIPT = `;(function () {
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
  function tagsInTurn() {
    var WEBHOOKS = ['webhooks-in-turn']
    function show(thing) {
      return { type: 'layout_show', payload: { thing: thing, shown: true } }
    }
    // After the page has painted: the next animation frame, then a task of its own.
    function afterPaint(step) {
      requestAnimationFrame(function () {
        setTimeout(step, 0)
      })
    }
    return {
      statePlugins: {
        layout: {
          actions: {
            openTagInTurn: function (tag) {
              return show(['operations-tag', tag])
            },
            showWebhooksInTurn: function () {
              return show(WEBHOOKS)
            },
          },
        },
        spec: {
          wrapSelectors: {
            // The webhooks, listed open below the tags, come last.
            selectWebhooksOperations: function (original, system) {
              return function () {
                return system.layoutSelectors.isShown(WEBHOOKS, false) ? original.apply(null, arguments) : null
              }
            },
          },
          wrapActions: {
            updateJsonSpec: function (original, system) {
              return function () {
                var result = original.apply(null, arguments)
                var tags = system.specSelectors.taggedOperations().keySeq().toArray()
                var next = 0
                var openNext = function () {
                  if (next === tags.length) return system.layoutActions.showWebhooksInTurn()
                  var tag = tags[next++]
                  // A tag the reader (or a deep link) already opened or closed is left as it is.
                  if (system.layoutSelectors.isShown(['operations-tag', tag]) === undefined) system.layoutActions.openTagInTurn(tag)
                  afterPaint(openNext)
                }
                openNext()
                return result
              }
            },
          },
        },
      },
    }
  }
  window.SwaggerUIBundle = Object.assign(function (config) {
    var inTurn = (config.docExpansion || 'list') === 'list'
    return bundle(
      Object.assign({}, config, {
        docExpansion: inTurn ? 'none' : config.docExpansion,
        plugins: (config.plugins || []).concat(inTurn ? [fastResolve, tagsInTurn] : [fastResolve]),
      }),
    )
  }, bundle)
})()
`

/** Served in place of swagger-ui-standalone-preset.js: /docs uses Swagger UI's BaseLayout, which needs no preset. */
export const STANDALONE_PRESET_STUB = 'window.SwaggerUIStandalonePreset = function () { return [] }\n'
