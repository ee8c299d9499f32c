#!/usr/bin/env node
// The evsynth command: the bundled CLI in dist/bin/ (built by `npm install` from a clone, shipped in the package).
import '../dist/bin/evsynth.js';
