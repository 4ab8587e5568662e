#!/usr/bin/env node
// Run by `npm install` (package.json "postinstall"). aws-local-stepfunctions 3.0.0 strips every backslash
// from the string an intrinsic function returns (meant for the escapes of States.Format templates), so
// `States.JsonToString` of an object holding a JSON string yields invalid JSON locally, where AWS returns
// valid JSON. This limits the stripping to States.Format. Idempotent; says so when the code has changed.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const BUGGY = 'if (typeof result === "string") {\n      result = result.replaceAll("\\\\", "");';
const FIXED = 'if (typeof result === "string" && this.funcDefinition.name === "States.Format") {\n      result = result.replaceAll("\\\\", "");';

let root;
try {
  // The package exports no package.json: its CommonJS build is build/main.node.cjs.
  root = dirname(dirname(require.resolve('aws-local-stepfunctions')));
} catch {
  process.exit(0); // not installed (e.g. a production install without dev tools): nothing to patch
}
for (const file of ['main.node.cjs', 'main.node.esm.js', 'main.browser.esm.js']) {
  const path = join(root, 'build', file);
  const text = readFileSync(path, 'utf8');
  if (text.includes(FIXED)) continue;
  if (!text.includes(BUGGY)) {
    process.stderr.write(`patch-interpreter: ${file} has changed; check whether States.JsonToString still loses backslashes\n`);
    continue;
  }
  writeFileSync(path, text.replace(BUGGY, FIXED));
}
