// Jest runs TypeScript through SWC (type checking is `npm run typecheck`, a separate step of `npm test`).
/** @type {import('jest').Config} */
const transform = { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2023' } }] };
const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  transform,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  ...extra,
});
module.exports = {
  projects: [
    project('unit'),
    project('integration'),
    project('workflow'),
    project('infra'),
    project('e2e'),
  ],
  testTimeout: 30000,
};
