#!/usr/bin/env node
'use strict';
// The `two-way-sms` command. Runs the TypeScript CLI (api/cli/main.ts) through tsx, so it works right after
// `npm install`, with no build step. This file is the composition root: it gives the CLI the local runtime
// (local/main.ts) for `serve`, so that api/ never imports local/.
const path = require('node:path');

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  // The project pins Node 22 through the npm package `node`; an older `node` on PATH hands over to it.
  let node22;
  try {
    node22 = require.resolve('node/bin/node', { paths: [path.join(__dirname, '..')] });
  } catch {
    process.stderr.write(`two-way-sms needs Node.js 22 or later (this is ${process.version}); run \`npm install\` in ${path.join(__dirname, '..')}\n`);
    process.exit(1);
  }
  const child = require('node:child_process').spawn(node22, [__filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (require('node:os').constants.signals[signal] ?? 0) : 1)));
  return;
}

// `two-way-sms list | head`: a closed pipe ends the command quietly, as it does for other Unix tools.
process.stdout.on('error', (err) => {
  if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

require('tsx/cjs');
const { runCli } = require('../api/cli/main.ts');

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }, {
  serve: (env) => require('../local/main.ts').serve(env),
  onInterrupt: (code) => process.exit(code),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`two-way-sms: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  },
);
