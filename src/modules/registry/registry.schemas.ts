// Request and response schemas of the registry: agencies, professionals, centres, partner clients.
import { Type } from 'typebox'
import { PARTNER_SCOPES } from '../../auth/principal.js'
import { AGENCY_KINDS, PROFESSIONAL_ROLES } from '../../db/schema/registry.js'
import { ListOf, PageQuery, Timestamp, Uuid } from '../../http/schemas.js'

const Name = (description: string) => Type.String({ minLength: 1, maxLength: 200, description })

export const AgencyKind = Type.Enum([...AGENCY_KINDS], { description: 'What kind of organisation the agency is' })
export const Role = Type.Enum([...PROFESSIONAL_ROLES], { description: "The professional's role" })
export const Scope = Type.Enum([...PARTNER_SCOPES], { description: 'A partner API scope' })

export const CreateAgency = Type.Object(
  { name: Name('The agency name'), kind: AgencyKind },
  { additionalProperties: false },
)
export const Agency = Type.Object(
  { id: Uuid('Agency id'), name: Name('The agency name'), kind: AgencyKind, createdAt: Timestamp('When it was created') },
  { additionalProperties: false },
)

export const CreateProfessional = Type.Object(
  {
    agencyId: Uuid('The agency the professional works for'),
    role: Role,
    displayName: Name('Name shown to colleagues and to young persons'),
    subject: Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^(?!partner:)',
      description: 'The login subject (JWT `sub`) of the account; `partner:` is reserved for partner tokens',
    }),
    centreIds: Type.Optional(Type.Array(Uuid('A centre id'), { maxItems: 50, uniqueItems: true, description: 'Centres the professional works at' })),
  },
  { additionalProperties: false },
)
export const Professional = Type.Object(
  {
    id: Uuid('Professional id'),
    agencyId: Uuid('Agency id'),
    role: Role,
    displayName: Type.String({ description: 'Display name' }),
    active: Type.Boolean({ description: 'False once deactivated: their tokens stop working at once' }),
    centreIds: Type.Array(Uuid('A centre id'), { description: 'Centres the professional works at' }),
    createdAt: Timestamp('When it was created'),
  },
  { additionalProperties: false },
)

export const CreateCentre = Type.Object(
  { name: Name('The centre name'), municipality: Name('The municipality it serves') },
  { additionalProperties: false },
)
export const Centre = Type.Object(
  { id: Uuid('Centre id'), name: Type.String({ description: 'Name' }), municipality: Type.String({ description: 'Municipality' }), createdAt: Timestamp('When it was created') },
  { additionalProperties: false },
)

export const CreatePartnerClient = Type.Object(
  {
    name: Name('Name of the partner system'),
    agencyId: Uuid('The agency the partner system acts for'),
    scopes: Type.Array(Scope, { minItems: 1, uniqueItems: true, description: 'Scopes the client may request' }),
  },
  { additionalProperties: false },
)
export const PartnerClient = Type.Object(
  {
    id: Uuid('Partner client id'),
    clientId: Type.String({ description: 'The OAuth client_id' }),
    name: Type.String({ description: 'Name' }),
    agencyId: Uuid('Agency id'),
    scopes: Type.Array(Scope, { description: 'Allowed scopes' }),
    active: Type.Boolean({ description: 'False once disabled' }),
    createdAt: Timestamp('When it was created'),
  },
  { additionalProperties: false },
)
export const PartnerClientWithSecret = Type.Object(
  {
    ...PartnerClient.properties,
    clientSecret: Type.String({ description: 'The client secret: shown once, only its hash is stored' }),
  },
  { additionalProperties: false },
)

export const ListQuery = Type.Object(PageQuery, { additionalProperties: false })
export const AgencyList = ListOf(Agency, 'Agencies')
export const ProfessionalList = ListOf(Professional, 'Professionals')
export const CentreList = ListOf(Centre, 'Centres')
export const PartnerClientList = ListOf(PartnerClient, 'Partner clients')
