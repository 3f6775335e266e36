import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { browserTestsRun, launchBrowser } from '../helpers/browser.js'
import { ENGINE } from '../helpers/db.js'
import { PRIVACY_REGISTRANT_VALUES } from '../helpers/rdap.js'
import { startWebTestApp, type WebTestApp } from '../helpers/web.js'

const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source

let w: WebTestApp
let server: Server
let base: string
let browser: Browser

;(browserTestsRun() ? describe : describe.skip)(`web pages in Chromium (${ENGINE})`, () => {
  beforeAll(async () => {
    w = await startWebTestApp()
    server = w.t.app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    browser = await launchBrowser()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await new Promise((resolve) => server?.close(resolve))
    await w?.t.close()
  })

  /** a fresh tab that records what the page could not load or run (CSP included) */
  async function open(options: { javaScriptEnabled?: boolean; width?: number } = {}) {
    const context: BrowserContext = await browser.newContext({
      javaScriptEnabled: options.javaScriptEnabled ?? true,
      viewport: { width: options.width ?? 1100, height: 900 },
      acceptDownloads: true,
    })
    const page = await context.newPage()
    const problems: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text())
    })
    page.on('pageerror', (e) => problems.push(e.message))
    const bytes: number[] = []
    page.on('response', async (r) => {
      bytes.push((await r.body().catch(() => Buffer.alloc(0))).length)
    })
    return { page, context, problems, bytes }
  }

  /** axe-core's serious and critical findings on the page as it is now */
  async function accessibility(page: Page): Promise<string[]> {
    await page.evaluate(axeSource)
    const result = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(): Promise<unknown> } }).axe
      return (await axe.run()) as {
        violations: Array<{ id: string; impact: string; nodes: unknown[] }>
      }
    })
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`)
  }

  async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
    const png = await page.screenshot({ fullPage })
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      await mkdir('docs/screenshots', { recursive: true })
      await writeFile(`docs/screenshots/${name}.png`, png)
    }
  }

  /** the value beside a label in the section with this heading */
  const rowOf = (page: Page, section: string, label: string) =>
    page
      .locator('section', { has: page.getByRole('heading', { name: section, exact: true }) })
      .locator('.row', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) })

  test('the public looks up privacy.example from the keyboard: organization and country shown, the person withheld', async () => {
    const { page, context, problems, bytes } = await open()
    await page.goto(`${base}/`)
    await page.getByLabel('Domain name, name server or registrar').fill('privacy.example')
    await page.keyboard.press('Enter')
    await page.waitForURL(`${base}/?q=privacy.example`)
    await expect(page.locator('h1').textContent()).resolves.toBe('privacy.example')
    await expect(
      rowOf(page, 'Registrant', 'Organization').locator('dd').textContent(),
    ).resolves.toBe('None given')
    await expect(rowOf(page, 'Registrant', 'Country').locator('dd').textContent()).resolves.toBe(
      'DE',
    )
    for (const label of ['Name', 'Street', 'Phone']) {
      const row = rowOf(page, 'Registrant', label)
      await expect(row.getAttribute('class')).resolves.toContain('withheld')
      await expect(row.locator('.badge').textContent()).resolves.toBe('Withheld for privacy')
      // the mark points to its reason, written once on the page
      const why = await row.locator('.badge').getAttribute('aria-describedby')
      await expect(page.locator(`#${why}`).textContent()).resolves.toMatch(
        /^Personal data: the calzone policy/,
      )
    }
    const email = rowOf(page, 'Registrant', 'E-mail')
    await expect(email.locator('a').first().textContent()).resolves.toMatch(
      /^[0-9a-f]{32}@anonymized\.nic\.example$/,
    )
    await expect(email.textContent()).resolves.toContain('The real address is withheld for privacy')
    await expect(
      email.getByRole('link', { name: 'Contact the registrant' }).getAttribute('href'),
    ).resolves.toMatch(/^mailto:[0-9a-f]{32}@anonymized\.nic\.example$/)
    const dom = await page.content()
    for (const v of PRIVACY_REGISTRANT_VALUES) expect(dom).not.toContain(v)
    expect(await accessibility(page)).toEqual([])
    await screenshot(page, 'lookup')
    // the result page with its stylesheet and icon, loaded afresh: a few tens of kilobytes
    bytes.length = 0
    await page.reload()
    await page.waitForLoadState('networkidle')
    const weight = bytes.reduce((a, b) => a + b, 0)
    expect(weight).toBeLessThan(60_000)
    console.info(`lookup page of privacy.example: ${bytes.length} responses, ${weight} bytes`)
    expect(problems).toEqual([])
    await context.close()
  })

  test('a registrant that is an organization shows its name; a U-label finds the IDN', async () => {
    const { page, context, problems } = await open()
    await page.goto(`${base}/?q=company.example`)
    await expect(
      rowOf(page, 'Registrant', 'Organization').locator('dd').textContent(),
    ).resolves.toBe('Example Company Ltd.')
    await page.getByLabel('Domain name, name server or registrar').fill('bücher.example')
    await page.getByRole('button', { name: 'Look up' }).click()
    await page.waitForURL(/q=b%C3%BCcher\.example$/)
    await expect(page.locator('h1').textContent()).resolves.toBe('bücher.example')
    await expect(rowOf(page, 'Domain', 'Domain name').textContent()).resolves.toContain(
      '(xn--bcher-kva.example)',
    )
    expect(problems).toEqual([])
    await context.close()
  })

  test('a name not found gives the sentence; the page works without JavaScript', async () => {
    const { page, context } = await open({ javaScriptEnabled: false })
    await page.goto(`${base}/`)
    await page.getByLabel('Domain name, name server or registrar').fill('nosuch.example')
    await page.getByRole('button', { name: 'Look up' }).click()
    await page.waitForURL(`${base}/?q=nosuch.example`)
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'No domain, name server or registrar named nosuch.example was found.',
    )
    await context.close()
  })

  test('on a phone-sized screen nothing is wider than the screen', async () => {
    const { page, context } = await open({ width: 375 })
    await page.goto(`${base}/?q=signed.example`)
    const [scroll, inner] = await page.evaluate(() => [
      document.documentElement.scrollWidth,
      window.innerWidth,
    ])
    expect(scroll).toBeLessThanOrEqual(inner)
    await context.close()
  })

  test('the workbench: three views of its own domain with rules, the public one only of another registrar', async () => {
    const { page, context, problems } = await open({ width: 1440 })
    await page.goto(`${base}/registrar`)
    await page.getByLabel('Registrar token').fill(await w.registrar(1001))
    await page.getByRole('button', { name: 'Use this token' }).click()
    await page.getByRole('button', { name: 'privacy.example' }).click()
    const table = page.locator('table.views')
    await table.waitFor()
    await expect(table.locator('thead th').allTextContents()).resolves.toEqual([
      'Field and rule',
      'You (sponsoring registrar)',
      'Public',
      'Law enforcement',
      'Cybersecurity',
      'IP protection',
      'Consumer protection',
    ])
    const name = table.locator('tbody tr', {
      has: page.locator('code', { hasText: /^registrant\.name$/ }),
    })
    const cells = name.locator('td')
    await expect(cells.nth(0).textContent()).resolves.toContain('Erika Mustermann')
    await expect(cells.nth(1).textContent()).resolves.toMatch(/^withheld: emptiedemptyValue/)
    await expect(cells.nth(2).textContent()).resolves.toContain('Erika Mustermann')
    await expect(name.locator('th small').textContent()).resolves.toMatch(
      /^\{ show: \[registrar, .*otherwise: emptyValue \}$/,
    )
    // fields every view treats alike wait behind a switch
    const roid = table.locator('tbody tr', {
      has: page.locator('code', { hasText: /^domain\.roid$/ }),
    })
    await expect(roid.isVisible()).resolves.toBe(false)
    await page.getByLabel('Also the fields every view shows alike').check()
    await expect(roid.isVisible()).resolves.toBe(true)
    await page.getByLabel('Also the fields every view shows alike').uncheck()
    const phone = table.locator('tbody tr', {
      has: page.locator('code', { hasText: /^registrant\.phone$/ }),
    })
    await expect(phone.locator('td').nth(4).textContent()).resolves.toMatch(/^withheld: removed/)

    // the token stays in this tab: not in the URL, no cookie
    expect(page.url()).toBe(`${base}/registrar`)
    expect(await context.cookies()).toEqual([])
    expect(await page.evaluate(() => sessionStorage.length)).toBe(1)

    // the public RDAP JSON as served
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Public RDAP JSON' }).click(),
    ])
    expect(download.suggestedFilename()).toBe('privacy.example.rdap.json')
    const served = await (await fetch(`${base}/rdap/domain/privacy.example`)).text()
    // the same bytes but for the time of the answer
    const stamp = (t: string) =>
      t.replace(/("last update of RDAP database","eventDate":")[^"]+/, '$1')
    expect(stamp(await readFile((await download.path())!, 'utf8'))).toBe(stamp(served))

    expect(await accessibility(page)).toEqual([])
    await screenshot(page, 'workbench', false)

    await page.getByLabel('Domain name').fill('company.example')
    await page.getByRole('button', { name: 'Compare views' }).click()
    await page.getByText('Another registrar sponsors this domain').waitFor()
    await expect(table.locator('thead th').allTextContents()).resolves.toEqual([
      'Field and rule',
      'Public',
    ])
    expect(await page.locator('#views').textContent()).not.toContain('Hostmaster')

    await page.getByRole('button', { name: 'Forget the token' }).click()
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0)
    await expect(page.getByLabel('Registrar token').isVisible()).resolves.toBe(true)
    expect(problems).toEqual([])
    await context.close()
  })

  test('the workbench says why a token is refused', async () => {
    const { page, context } = await open()
    await page.goto(`${base}/registrar`)
    await page.getByLabel('Registrar token').fill(await w.le())
    await page.getByRole('button', { name: 'Use this token' }).click()
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'The workbench is for registrars; this token is not one.',
    )
    await context.close()
  })

  test('the terms page and the empty lookup page pass axe-core', async () => {
    const { page, context, problems } = await open()
    for (const path of ['/', '/terms', '/registrar']) {
      await page.goto(`${base}${path}`)
      expect(await accessibility(page)).toEqual([])
    }
    await screenshot(page, 'workbench-start')
    await page.goto(`${base}/terms`)
    await screenshot(page, 'terms')
    expect(problems).toEqual([])
    await context.close()
  })
})
