import t from 'tap'
import { createAdmin, createAgency, createProfessional } from '../factories.js'
import { build } from '../helper.js'

t.test('an admin registers an agency and a professional', async (t) => {
  const app = await build(t)
  const admin = await createAdmin(app)
  const agency = await createAgency(app, admin, { name: 'Employment services', kind: 'employment_service' })
  t.match(agency, { name: 'Employment services', kind: 'employment_service' })
  const pro = await createProfessional(app, admin, { agencyId: agency.id, role: 'nurse' })
  const res = await app.inject({ method: 'GET', url: `/v1/professionals/${pro.id}`, headers: admin.headers })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { id: pro.id, agencyId: agency.id, role: 'nurse', active: true })
})
