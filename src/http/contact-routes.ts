import express, { type Express, type Request, type Response } from 'express'
import type { ContactRelay } from '../contact/relay.js'
import { isNameProblem, normalizeDomainName } from '../domain/names.js'
import { CONTACT_ROLES, type ContactRole } from '../domain/registration.js'
import { AppError } from '../errors.js'
import { lookupDomain, type LookupDeps } from '../lookup.js'
import { isEmailAddress } from '../policy/load.js'
import { confirmPage, contactFormPage, contactOutcomePage } from '../web/contact-page.js'
import type { ViewerOf } from './middleware.js'
import { renderContextOf, type SiteConfig } from './respond.js'
import { problemOf, sendPage } from './web-routes.js'

export interface ContactDeps extends LookupDeps {
  readonly site: SiteConfig
  readonly contact: ContactRelay
}

const form = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 10 })

/**
 * The contact form (/contact/<domain>?role=…) and its confirmation links. The form is offered for a
 * contact the public record shows (a lookup, within the public budget); what it sends goes through
 * the relay's limits and waits for its sender to confirm by e-mail.
 */
export function addContactRoutes(app: Express, deps: ContactDeps, viewerOf: ViewerOf): void {
  // the domain and role asked for, as the public record shows them; or a page saying why not
  const target = async (req: Request, res: Response) => {
    const name = normalizeDomainName(String(req.params.domain))
    const role = String(req.query.role ?? 'registrant') as ContactRole
    const fail = (status: number, sentence: string) => {
      sendPage(res, status, contactOutcomePage('Contact', sentence, true), false)
      return undefined
    }
    if (isNameProblem(name)) return fail(400, `Not a domain name: ${name.problem}.`)
    if (!(CONTACT_ROLES as readonly string[]).includes(role))
      return fail(400, 'The role is registrant, administrative, technical or billing.')
    try {
      const d = await lookupDomain(deps, name, {
        viewer: viewerOf(req, true),
        requestId: String(res.locals.requestId),
        now: new Date(),
      })
      if (d.record.kind !== 'domain' || !d.record.domain.contacts[role])
        return fail(404, `${name.ldhName} has no ${role} contact.`)
      return { ldhName: name.ldhName, unicodeName: name.unicodeName, role }
    } catch (err) {
      const p = problemOf(err)
      if (p.retryAfter) res.setHeader('Retry-After', String(p.retryAfter))
      return fail(p.status, p.sentence)
    }
  }

  app.get('/contact/:domain', async (req, res) => {
    const t = await target(req, res)
    if (t) sendPage(res, 200, contactFormPage(t), false)
  })

  app.post('/contact/:domain', form, async (req, res) => {
    const t = await target(req, res)
    if (!t) return
    const body = (req.body ?? {}) as Record<string, unknown>
    const field = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '')
    const values = {
      email: field('email').trim(),
      subject: field('subject').trim(),
      message: field('message'),
    }
    const again = (problem: string) =>
      sendPage(res, 400, contactFormPage({ ...t, values, problem }), false)
    // a robot that fills every field gets the same answer as a person, and nothing is sent
    if (field('website') !== '') return sendPage(res, 200, sentPage(), false)
    if (!isEmailAddress(values.email) || values.email.length > 254)
      return again('Give the e-mail address the confirmation should go to.')
    if (values.subject === '' || values.subject.length > 200 || /[\r\n]/.test(values.subject))
      return again('Give a subject of one line, at most 200 characters.')
    if (values.message.trim() === '' || values.message.length > 20_000)
      return again('Write a message of at most 20,000 characters.')
    try {
      const base = renderContextOf(req, deps.site).baseUrl
      await deps.contact.submit(
        { ...t, sender: values.email.toLowerCase(), subject: values.subject, text: values.message },
        (token) => new URL(`/contact/confirm/${token}`, base).href,
      )
      sendPage(res, 200, sentPage(), false)
    } catch (err) {
      // the relay's own limits say what they are; the rest as every page says it
      const p =
        err instanceof AppError && err.code === 'RATE_LIMITED'
          ? { status: 429, sentence: err.message, retryAfter: err.retryAfterSeconds }
          : problemOf(err)
      if (p.retryAfter) res.setHeader('Retry-After', String(p.retryAfter))
      sendPage(res, p.status, contactFormPage({ ...t, values, problem: p.sentence }), false)
    }
  })

  app.get('/contact/confirm/:token', (req, res) => {
    sendPage(res, 200, confirmPage(String(req.params.token).slice(0, 100)), false)
  })

  app.post('/contact/confirm/:token', async (req, res) => {
    try {
      const done = await deps.contact.confirm(String(req.params.token))
      if (done)
        return sendPage(
          res,
          200,
          contactOutcomePage(
            'Message sent',
            'Thank you: your message is on its way to the contact.',
          ),
          false,
        )
      sendPage(
        res,
        404,
        contactOutcomePage(
          'Message not found',
          'This link is unknown, used already or more than a day old.',
          true,
        ),
        false,
      )
    } catch (err) {
      const p = problemOf(err)
      sendPage(res, p.status, contactOutcomePage('Message not sent', p.sentence, true), false)
    }
  })
}

const sentPage = () =>
  contactOutcomePage(
    'Check your e-mail',
    'We have sent you a link to confirm your message. It is forwarded once you confirm, within a day.',
  )
