import type { Audience } from '../domain/audience.js'
import type { Contact, ContactRole, Domain, Host, Registrar } from '../domain/registration.js'
import type { ContactKey, FieldGroup, Method } from './fields.js'

// What disclose() answers: the only input renderers accept.

type RegistrarKey = Exclude<keyof Registrar, 'ianaId' | 'handle' | 'status' | 'created' | 'updated'>

export type DisclosedContact = Readonly<Partial<Pick<Contact, ContactKey>>>
export type DisclosedRegistrar = Readonly<
  Pick<Registrar, 'ianaId'> & Partial<Pick<Registrar, RegistrarKey>>
>
export type DisclosedDomain = Readonly<
  Pick<Domain, 'ldhName' | 'unicodeName'> &
    Partial<
      Pick<
        Domain,
        | 'roid'
        | 'statuses'
        | 'created'
        | 'updated'
        | 'expires'
        | 'transferred'
        | 'nameservers'
        | 'secureDns'
      >
    > & {
      registrar: DisclosedRegistrar
      contacts: Readonly<Partial<Record<ContactRole, DisclosedContact>>>
    }
>
export type DisclosedHost = Readonly<
  Pick<Host, 'ldhName' | 'unicodeName'> &
    Partial<Pick<Host, 'roid' | 'ipv4' | 'ipv6' | 'statuses' | 'created' | 'updated'>> & {
      registrar: DisclosedRegistrar
    }
>

declare const disclosed: unique symbol
/** only disclose() makes these, so a renderer cannot be handed a raw record */
export type DisclosedRecord = (
  | { readonly kind: 'domain'; readonly domain: DisclosedDomain }
  | { readonly kind: 'host'; readonly host: DisclosedHost }
  | { readonly kind: 'contact'; readonly handle: string; readonly contact: DisclosedContact }
  | { readonly kind: 'registrar'; readonly registrar: DisclosedRegistrar }
) & { readonly [disclosed]: true }

export interface Withheld {
  /** 'registrant.email'; 'contact.email' for a contact looked up on its own */
  readonly path: string
  readonly group: FieldGroup | 'contact'
  readonly key: string
  readonly method: Method
  readonly personal: boolean
  /** what stands in its place, for replacementValue */
  readonly replacement?: { readonly kind: 'email' | 'uri'; readonly value: string }
}

/** the only thing renderers accept */
export interface Disclosure {
  readonly record: DisclosedRecord
  /** catalogue order */
  readonly withheld: readonly Withheld[]
  /** paths of the fields shown, catalogue order */
  readonly shown: readonly string[]
  readonly audience: Audience
  readonly policy: { readonly name: string; readonly version: number }
  /** rules that failed to evaluate; those fields stayed withheld */
  readonly problems: readonly string[]
}

/** a disclosure's withheld fields by group ('registrant', 'registrar', …), then by key */
export function withheldByGroup(withheld: readonly Withheld[]): Map<string, Map<string, Withheld>> {
  const groups = new Map<string, Map<string, Withheld>>()
  for (const w of withheld) {
    let keys = groups.get(w.group)
    if (!keys) groups.set(w.group, (keys = new Map()))
    keys.set(w.key, w)
  }
  return groups
}
