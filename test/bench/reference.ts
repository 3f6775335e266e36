// The reference: a bare express 5 handler that does one indexed select on the registry's domains
// and writes a small JSON. It shows what a database round trip alone costs this machine, against
// which the whole path (several objects, the policy, RFC 9083 rendering) can be judged.
import express from 'express'
import pg from 'pg'

const [databaseUrl, port] = process.argv.slice(2)
const pool = new pg.Pool({ connectionString: databaseUrl, max: 16 })
const app = express()
app.get('/rdap/domain/:name', async (req, res) => {
  const { rows } = await pool.query({
    name: 'domain',
    text: 'select roid, ldh_name, registrar_iana_id, statuses, expires_at from domains where ldh_name = $1',
    values: [req.params.name],
  })
  if (rows[0]) res.json(rows[0])
  else res.status(404).json({ errorCode: 404 })
})
app.listen(Number(port), '127.0.0.1', () => process.stdout.write('reference listening\n'))
