// RFC 9083 response objects and RFC 9537 redactions as types: what the renderers build, and the
// one shape the HTTP edge serializes. Members are declared in the order they are written.

/** RFC 9083 §4.2; `value` is the context URI: the URL the client asked for (RFC 8288) */
export interface Link {
  readonly value: string
  readonly rel: string
  readonly href: string
  readonly type: string
  readonly title?: string
}

/** RFC 9083 §4.3 notices and remarks */
export interface Notice {
  readonly title: string
  /** RFC 9083 §10.2.1, e.g. "result set truncated due to authorization" */
  readonly type?: string
  readonly description: readonly string[]
  readonly links?: readonly Link[]
}

/** RFC 9083 §4.5 */
export interface RdapEvent {
  readonly eventAction: string
  readonly eventDate: string
}

/** RFC 7095 §3.3: one jCard property, [name, parameters, value type, value] */
export type JCardProperty = readonly [
  name: string,
  params: Readonly<Record<string, string>>,
  type: 'text' | 'uri',
  value: string | readonly (string | readonly string[])[],
]

export type VCardArray = readonly ['vcard', readonly JCardProperty[]]

/** RFC 9083 §5.1 */
export interface Entity {
  readonly objectClassName: 'entity'
  readonly handle?: string | undefined
  readonly roles?: readonly string[] | undefined
  readonly publicIds?: readonly { readonly type: string; readonly identifier: string }[]
  readonly vcardArray: VCardArray
  readonly links?: readonly Link[] | undefined
  readonly entities?: readonly Entity[] | undefined
  readonly events?: readonly RdapEvent[]
}

/** a name server as a domain lists it */
export interface NameserverRef {
  readonly objectClassName: 'nameserver'
  readonly ldhName: string
  readonly unicodeName?: string | undefined
  readonly ipAddresses?: IpAddresses | undefined
}

export interface IpAddresses {
  readonly v4?: readonly string[]
  readonly v6?: readonly string[]
}

/** RFC 9083 §5.3 secureDNS, with the data as stored */
export interface SecureDns {
  readonly delegationSigned: boolean
  readonly dsData?: readonly object[] | undefined
  readonly keyData?: readonly object[] | undefined
}

/** RFC 9083 §5.3 */
export interface Domain {
  readonly objectClassName: 'domain'
  readonly handle?: string | undefined
  readonly ldhName: string
  readonly unicodeName?: string | undefined
  readonly links: readonly Link[]
  readonly status?: readonly string[] | undefined
  readonly events: readonly RdapEvent[]
  readonly entities: readonly Entity[]
  readonly nameservers?: readonly NameserverRef[] | undefined
  readonly secureDNS: SecureDns
}

/** RFC 9083 §5.2 */
export interface Nameserver {
  readonly objectClassName: 'nameserver'
  readonly handle?: string | undefined
  readonly ldhName: string
  readonly unicodeName?: string | undefined
  readonly links: readonly Link[]
  readonly status?: readonly string[] | undefined
  readonly ipAddresses?: IpAddresses | undefined
  readonly entities: readonly Entity[]
  readonly events: readonly RdapEvent[]
}

/** RFC 9537 §4.2: one withheld field, where it was and how it was withheld */
export interface Redacted {
  readonly name: { readonly type: string } | { readonly description: string }
  readonly prePath?: string
  readonly postPath?: string
  readonly replacementPath?: string
  readonly pathLang: 'jsonpath'
  readonly method: 'removal' | 'emptyValue' | 'replacementValue'
  readonly reason: { readonly description: string }
}

/** the members every response carries around its object (RFC 9083 §4.1, §4.3; RFC 9537 §4.2) */
interface Envelope {
  readonly rdapConformance: readonly string[]
}

interface Closing {
  readonly port43?: string | undefined
  readonly notices: readonly Notice[]
  readonly redacted?: readonly Redacted[] | undefined
}

export type DomainResponse = Envelope & Domain & Closing
export type NameserverResponse = Envelope & Nameserver & Closing
export type EntityResponse = Envelope & Entity & Closing

/** RFC 9083 §7 */
export interface HelpResponse extends Envelope {
  readonly notices: readonly Notice[]
  readonly reverse_search_properties?: readonly ReverseSearchProperty[]
}

/** RFC 9083 §6 */
export interface ErrorResponse extends Envelope {
  readonly errorCode: number
  readonly title: string
  readonly description: readonly string[]
  readonly notices: readonly Notice[]
}

/** a result object of a search: the lookup's object without what only the top may carry */
export type SearchItem<T> = Omit<T, 'rdapConformance' | 'notices'>

/** RFC 8977 §2.3.1 */
export interface SortingMetadata {
  readonly currentSort?: string
  readonly availableSorts: readonly {
    readonly property: string
    readonly jsonPath: string
    readonly default: boolean
    readonly links: readonly Link[]
  }[]
}

/** RFC 8977 §2.4.1 */
export interface PagingMetadata {
  readonly totalCount?: number
  readonly pageSize: number
  readonly pageNumber: number
  readonly links?: readonly Link[]
}

/** RFC 9082 §3.2 / RFC 9083 §8 search results, with RFC 8977 and RFC 9536 members */
export interface SearchResponse extends Envelope {
  readonly notices: readonly Notice[]
  readonly domainSearchResults?: readonly SearchItem<DomainResponse>[]
  readonly nameserverSearchResults?: readonly SearchItem<NameserverResponse>[]
  readonly entitySearchResults?: readonly SearchItem<EntityResponse>[]
  readonly reverse_search_properties_mapping?: readonly ReverseSearchMapping[]
  readonly sorting_metadata: SortingMetadata
  readonly paging_metadata: PagingMetadata
}

/** RFC 9536 §5 */
export interface ReverseSearchMapping {
  readonly property: string
  readonly propertyPath: string
}

/** RFC 9536 §6: what the help response says a reverse search may use */
export interface ReverseSearchProperty {
  readonly searchableResourceType: string
  readonly relatedResourceType: string
  readonly property: string
  readonly description: string
}

export type RdapResponse =
  | DomainResponse
  | NameserverResponse
  | EntityResponse
  | HelpResponse
  | ErrorResponse
  | SearchResponse
