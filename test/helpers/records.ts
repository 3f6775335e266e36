import type { Domain } from '../../src/domain/registration.js'
import { sampleDomain } from '../../src/policy/suite.js'

/** a domain record for unit tests: the policy suites' sample, with what a test is about overridden */
export const domainRecord = (contacts: Domain['contacts'], over: Partial<Domain> = {}): Domain =>
  sampleDomain(contacts, { roid: 'D1-T', ldhName: 'engine.test', nameservers: [], ...over })
