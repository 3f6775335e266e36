import type { Contact, Domain, Registrar } from '../../src/domain/registration.js'

/** small registry records for unit tests; override what a test is about */
export const registrarRecord = (over: Partial<Registrar> = {}): Registrar => ({
  ianaId: 1,
  handle: '1',
  name: 'R',
  url: null,
  whoisServer: null,
  rdapBaseUrl: null,
  abuseEmail: 'abuse@r.test',
  abusePhone: null,
  street: [],
  city: null,
  stateProvince: null,
  postalCode: null,
  countryCode: null,
  phone: null,
  email: null,
  status: 'active',
  created: new Date(0),
  updated: null,
  ...over,
})

export const domainRecord = (contacts: Domain['contacts'], over: Partial<Domain> = {}): Domain => ({
  roid: 'D1-T',
  ldhName: 'engine.test',
  unicodeName: null,
  statuses: ['ok'],
  created: new Date(0),
  updated: null,
  expires: new Date(0),
  transferred: null,
  registrar: registrarRecord(),
  contacts,
  nameservers: [],
  secureDns: { delegationSigned: false, dsData: [], keyData: [] },
  ...over,
})

export type { Contact }
