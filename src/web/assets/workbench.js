// The registrar workbench: asks the workbench API with the registrar's token, kept in this tab's
// session storage only, and builds the views with DOM calls (never HTML from data).
'use strict'
;(() => {
  const KEY = 'rdds.registrarToken'
  const $ = (id) => document.getElementById(id)
  const tokenForm = $('token-form')
  const signedIn = $('signed-in')
  const status = $('status')
  const views = $('views')
  const ownList = $('own-list')
  const datalist = $('own-domains')
  const more = $('more')
  let next

  const token = () => sessionStorage.getItem(KEY)

  function say(text) {
    status.textContent = text || ''
    status.hidden = !text
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag)
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value !== undefined && value !== false)
        node.setAttribute(name, value === true ? '' : value)
    }
    for (const child of children) {
      if (child !== undefined && child !== null) node.append(child)
    }
    return node
  }

  async function api(path) {
    const res = await fetch(path, {
      headers: { Authorization: `Bearer ${token()}`, Accept: 'application/json' },
      cache: 'no-store',
      credentials: 'omit',
    })
    const body = await res.json().catch(() => ({}))
    if (!res.ok) {
      if (res.status === 401) forget()
      const why = (body.description && body.description[0]) || `The server answered ${res.status}.`
      throw new Error(why)
    }
    return body
  }

  function refresh() {
    const signed = Boolean(token())
    tokenForm.hidden = signed
    signedIn.hidden = !signed
    if (signed) loadOwn(true)
  }

  function forget() {
    sessionStorage.removeItem(KEY)
    views.hidden = true
    views.replaceChildren()
    refresh()
  }

  async function loadOwn(first) {
    if (first) {
      next = undefined
      ownList.replaceChildren()
      datalist.replaceChildren()
    }
    try {
      const page = await api(
        `/registrar/api/domains${next ? `?after=${encodeURIComponent(next)}` : ''}`,
      )
      for (const name of page.domains) {
        const button = el('button', { type: 'button', class: 'linkish' }, name)
        button.addEventListener('click', () => {
          $('domain').value = name
          compare(name)
        })
        ownList.append(el('li', {}, button))
        datalist.append(el('option', { value: name }))
      }
      if (first && page.domains.length === 0) ownList.append(el('li', {}, 'No domains yet.'))
      next = page.next
      more.hidden = !next
    } catch (err) {
      say(err.message)
    }
  }

  function download(label, filename, type, text) {
    const url = URL.createObjectURL(new Blob([text], { type }))
    return el('a', { href: url, download: filename, class: 'button' }, label)
  }

  // what the rule alone does not say: a condition that applied, a rule missing or failing
  const telling = (because) => !/^(shown to |not shown to )/.test(because)

  function cell(field) {
    if (!field) return el('td', { class: 'absent' }, 'not in the record')
    if (field.shown)
      return el(
        'td',
        { class: 'shown' },
        el('span', { class: 'state' }, 'shown'),
        field.value !== undefined ? el('span', { class: 'value' }, field.value) : undefined,
        telling(field.because) ? el('small', {}, field.because) : undefined,
      )
    const method = { removal: 'removed', emptyValue: 'emptied', replacementValue: 'replaced' }
    return el(
      'td',
      { class: 'withheld' },
      el('span', { class: 'state' }, `withheld: ${method[field.method] || field.method}`),
      el('code', {}, field.method),
      field.replacement ? el('span', { class: 'value' }, `→ ${field.replacement}`) : undefined,
      telling(field.because) ? el('small', {}, field.because) : undefined,
    )
  }

  function render(answer) {
    const paths = []
    const rules = new Map()
    for (const view of answer.views)
      for (const f of view.fields)
        if (!rules.has(f.path)) {
          rules.set(f.path, f.rule)
          paths.push(f.path)
        }
    const byPath = answer.views.map((v) => new Map(v.fields.map((f) => [f.path, f])))
    // a field every view treats alike says nothing about redaction: hidden unless asked for
    const differs = (path) =>
      new Set(byPath.map((m) => (m.get(path) ? `${m.get(path).shown} ${m.get(path).method}` : '')))
        .size > 1
    const name = answer.domain.unicodeName
      ? `${answer.domain.unicodeName} (${answer.domain.ldhName})`
      : answer.domain.ldhName
    const table = el(
      'table',
      { class: 'views' },
      el(
        'caption',
        {},
        `${name} under the ${answer.policy.name} policy (version ${answer.policy.version})`,
      ),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col' }, 'Field and rule'),
          ...answer.views.map((v) =>
            el('th', { scope: 'col', 'data-audience': v.audience }, v.title),
          ),
        ),
      ),
      el(
        'tbody',
        {},
        ...paths.map((path) =>
          el(
            'tr',
            { class: differs(path) ? 'differs' : 'same' },
            el(
              'th',
              { scope: 'row' },
              el('code', {}, path),
              el('small', {}, rules.get(path).slice(path.length + 2)),
            ),
            ...byPath.map((m) => cell(m.get(path))),
          ),
        ),
      ),
    )
    const ldh = answer.domain.ldhName
    const all = el('input', { type: 'checkbox', id: 'all-fields' })
    all.addEventListener('change', () => table.classList.toggle('only-differing', !all.checked))
    table.classList.add('only-differing')
    views.replaceChildren(
      el('h2', {}, name),
      el(
        'p',
        {},
        answer.sponsor
          ? 'You sponsor this domain: your view, the public view and each accredited purpose, side by side.'
          : 'Another registrar sponsors this domain: you see only what the public sees.',
      ),
      el(
        'p',
        { class: 'downloads' },
        download(
          'Public RDAP JSON',
          `${ldh}.rdap.json`,
          'application/rdap+json',
          answer.served.rdap,
        ),
        ' ',
        download('Public WHOIS text', `${ldh}.whois.txt`, 'text/plain', answer.served.whois),
      ),
      el(
        'p',
        { class: 'toggle' },
        all,
        ' ',
        el('label', { for: 'all-fields' }, 'Also the fields every view shows alike'),
      ),
      el('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'Views' }, table),
      el(
        'details',
        {},
        el('summary', {}, 'The public WHOIS answer'),
        el('pre', {}, answer.served.whois),
      ),
    )
    views.hidden = false
  }

  async function compare(name) {
    say('')
    try {
      render(await api(`/registrar/api/domain/${encodeURIComponent(name.trim())}`))
    } catch (err) {
      views.hidden = true
      say(err.message)
    }
  }

  tokenForm.addEventListener('submit', (event) => {
    event.preventDefault()
    const value = $('token').value.trim()
    $('token').value = ''
    if (!value) return
    sessionStorage.setItem(KEY, value)
    say('')
    refresh()
  })
  $('forget').addEventListener('click', forget)
  more.addEventListener('click', () => loadOwn(false))
  $('domain-form').addEventListener('submit', (event) => {
    event.preventDefault()
    compare($('domain').value)
  })
  refresh()
})()
