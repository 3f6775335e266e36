import type { Command } from 'commander'

/** rdds serve: the server, as npm start runs it */
export function addServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the server (same as npm start)')
    .action(async () => {
      await import('../main.js')
      await new Promise(() => undefined) // the server runs on; its signals end the process
    })
}
