/**
 * The entry of the bundled command line (dist/bin/evsynth.js, built by scripts/build-cli.mjs): a request for
 * help or the version is answered from the command manifest written at build time (./help-manifest.ts), in a
 * fraction of the time the full CLI takes to load; everything else runs the full CLI (./run.ts).
 */
import { readFileSync } from 'node:fs';
import { answerHelpRequest, isHelpRequest, type CommandEntry } from './help-manifest.ts';
import { version } from './version.ts';

function readManifest(): CommandEntry | undefined {
  try {
    return JSON.parse(readFileSync(new URL('./commands.json', import.meta.url), 'utf8')) as CommandEntry;
  } catch {
    return undefined; // not built (run from source): the full CLI answers
  }
}

const argv = process.argv.slice(2);
const manifest = readManifest();
if (manifest && isHelpRequest(argv, manifest)) {
  // help piped into a command that stops reading (`evsynth --help | head`): stop quietly, as run.ts does
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  process.exitCode = answerHelpRequest(argv, manifest, version());
} else {
  await import('./run.ts');
}
