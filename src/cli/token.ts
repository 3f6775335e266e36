import type { Command } from 'commander'
import { UsageError } from './errors.js'
import { cliConfig, out, wholeNumber } from './run.js'

/** rdds token: a token of the demo issuer, to try the tiers (no database needed) */
export function addTokenCommand(program: Command): void {
  program
    .command('token')
    .description('a token signed by the demo issuer (trusted by the embedded demo, or DEMO=true)')
    .requiredOption(
      '--audience <audience>',
      'registrar, accredited:<purpose>, or registry-operator (the ingest API)',
    )
    .option('--registrar <ianaId>', 'the registrar, for --audience registrar', wholeNumber(1))
    .option('--ttl <duration>', 'how long it is valid: 15m, 1h, 1d', '1h')
    .option('--subject <sub>', 'the token subject (default: demo-<audience>)')
    .action(async (o: { audience: string; registrar?: number; ttl: string; subject?: string }) => {
      const { AUDIENCES, isAudience } = await import('../domain/audience.js')
      const operator = o.audience === 'registry-operator'
      if (!operator && (!isAudience(o.audience) || o.audience === 'public'))
        throw new UsageError(
          `--audience is one of ${AUDIENCES.filter((a) => a !== 'public').join(', ')}, registry-operator`,
        )
      if (o.audience === 'registrar' && !o.registrar)
        throw new UsageError('--registrar <IANA id> is required for the registrar audience')
      if (!/^\d+[smhd]$/.test(o.ttl)) throw new UsageError('--ttl looks like 15m, 1h or 1d')
      const config = await cliConfig()
      const [{ DEMO_ISSUER, signDemoToken }, { announcedServer }] = await Promise.all([
        import('../demo/issuer.js'),
        import('../operator/owner.js'),
      ])
      const jwt = await signDemoToken(config.DATA_DIR, {
        audience: o.audience as 'registry-operator',
        ttl: o.ttl,
        ...(o.registrar ? { registrarId: o.registrar } : {}),
        ...(o.subject ? { subject: o.subject } : {}),
      })
      // the running server's own port, where it says; else the one this configuration names
      const port = (await announcedServer(config.DATA_DIR))?.httpPort ?? config.HTTP_PORT
      process.stderr.write(
        `demo token for ${o.audience}${o.registrar ? ` (registrar ${o.registrar})` : ''}, valid ${o.ttl}, issuer ${DEMO_ISSUER}\n` +
          `use: curl ${operator ? '-X PUT -H "Content-Type: application/json" -d @domain.json ' : ''}-H "Authorization: Bearer $TOKEN" http://${/^(0\.0\.0\.0|::)$/.test(config.HOST) ? '127.0.0.1' : config.HOST}:${port}/${operator ? 'ingest/domains/NAME' : 'rdap/domain/privacy.example'}\n`,
      )
      out(jwt)
    })
}
