#!/usr/bin/env node
// The evsynth command. CommonJS on purpose: a request for help or the version is answered by the small bundle
// dist/bin/help.cjs without starting Node's ES module loader or loading the engine (src/cli/launch.ts);
// everything else runs the bundled CLI (dist/bin/evsynth.js, ES modules). Both are built by `npm install`.
'use strict';
const { join } = require('node:path');
const dist = join(__dirname, '..', 'dist', 'bin');
const { answerHelp } = require(join(dist, 'help.cjs'));
const files = { manifest: join(dist, 'commands.json'), packageJson: join(__dirname, '..', 'package.json') };
if (!answerHelp(process.argv.slice(2), files)) import('../dist/bin/evsynth.js');
