#!/usr/bin/env node
// `npx rdds …`: runs the TypeScript CLI through tsx, as `npm start` runs the server
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')
