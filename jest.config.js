import { createDefaultEsmPreset } from 'ts-jest'

/** ESM + ts-jest; type errors are `npm run typecheck`'s job, so tests only transpile */
export default {
  testEnvironment: 'node',
  ...createDefaultEsmPreset({ tsconfig: 'tsconfig.json' }),
  // sources import './x.js' (NodeNext); map back to the .ts file
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 30000,
}
