import type { Request, Response } from 'express'
import type { RenderContext } from './render.js'

/** deployment facts every response needs */
export interface SiteConfig {
  /** RDAP base URL as clients see it; unset: derived from the request's Host */
  readonly publicBaseUrl?: string
  readonly termsUrl: string
  readonly port43?: string
}

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/

export function renderContextOf(req: Request, site: SiteConfig): RenderContext {
  const host = req.get('host')
  const origin = `${req.protocol}://${host && HOST.test(host) ? host : 'localhost'}`
  const baseUrl = site.publicBaseUrl ?? `${origin}/rdap/`
  return {
    baseUrl,
    requestUrl: new URL(req.originalUrl, site.publicBaseUrl ? new URL(site.publicBaseUrl).origin : origin).href,
    now: new Date(),
    termsUrl: site.termsUrl,
    ...(site.port43 ? { port43: site.port43 } : {}),
  }
}

/** RFC 7480 §4.2: application/rdap+json whatever the Accept; personal data never in shared caches */
export function sendRdap(res: Response, status: number, body: unknown, options: { cache: boolean }): void {
  res.status(status)
  res.setHeader('Content-Type', 'application/rdap+json')
  res.setHeader('Vary', 'Authorization')
  res.setHeader('Cache-Control', options.cache ? 'public, max-age=60' : 'private, no-store')
  res.send(JSON.stringify(body))
}
