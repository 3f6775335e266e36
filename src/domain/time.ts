const twoDigits = (n: number): string => (n < 10 ? `0${n}` : `${n}`)

/**
 * RFC 3339 in UTC to the whole second, as RDAP events and WHOIS dates show it. Built from the UTC
 * fields: toISOString and a trim cost three times as much, four to ten times per answer.
 */
export function utcSeconds(d: Date): string {
  const year = d.getUTCFullYear()
  // outside four-digit years (and for an invalid date, which throws) the ISO form is the authority
  if (!(year >= 1000 && year <= 9999)) return d.toISOString().replace(/\.\d{3}Z$/, 'Z')
  return `${year}-${twoDigits(d.getUTCMonth() + 1)}-${twoDigits(d.getUTCDate())}T${twoDigits(d.getUTCHours())}:${twoDigits(d.getUTCMinutes())}:${twoDigits(d.getUTCSeconds())}Z`
}
