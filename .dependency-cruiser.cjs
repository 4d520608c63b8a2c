// Architecture rules, checked in CI (npm run lint:architecture): the layers and the one door to personal data.
// Layers, bottom to top: db (schema, client) → authz (rules, the door and its SQL in authz/data) → modules (queries → services → routes) → app.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'personal-data-only-through-the-door',
      comment:
        'Tables holding personal data (young persons, consents, pathway, notes, referrals, audit, self-service) are read and written only by the door: src/authz, whose SQL lives in src/authz/data. Feature modules, http and auth import registry tables by their own file. Two exceptions own what the door stands on: the audit writer and verifier keep the hash chains (the verifier reports positions, never content), and the principal look-up resolves which young person an account signs in as, before any door can be entered.',
      severity: 'error',
      from: { path: '^src/(modules/|http/|auth/|cli\\.ts)', pathNot: ['^src/modules/audit/audit\\.(writer|verify)\\.ts$', '^src/auth/principal\\.ts$'] },
      to: { path: '^src/db/schema/(index|young-persons|pathway|audit|self-service)\\.ts$' },
    },
    {
      name: 'db-is-the-bottom-layer',
      comment: 'The schema and the client know nothing of rules, features or HTTP.',
      severity: 'error',
      from: { path: '^src/db/' },
      to: { path: '^src/(authz|modules|http|auth)/' },
    },
    {
      name: 'authz-depends-on-no-feature',
      comment: 'The door sits below the features: it may use the one audit writer, nothing else of src/modules.',
      severity: 'error',
      from: { path: '^src/authz/' },
      to: { path: '^src/modules/', pathNot: '^src/modules/audit/audit\\.writer\\.ts$' },
    },
    {
      name: 'queries-are-below-services-and-routes',
      comment: 'SQL files import neither the services that use them nor routes.',
      severity: 'error',
      from: { path: '\\.queries\\.ts$' },
      to: { path: '\\.(service|routes)\\.ts$' },
    },
    {
      name: 'routes-are-leaves',
      comment: 'A route file registers routes; presenters and helpers live elsewhere, so only the wiring imports routes.',
      severity: 'error',
      from: { pathNot: ['\\.(routes|plugin)\\.ts$', '^src/modules/v1\\.ts$', '^src/app\\.ts$', '^scripts/'] },
      to: { path: '\\.routes\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'A cycle means something lives in the wrong room.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
}
