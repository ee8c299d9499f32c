/**
 * Help and version without loading the command line: bundled on its own as CommonJS (dist/bin/help.cjs, by
 * scripts/build-cli.mjs) and called by the command's entry (bin/evsynth.cjs), so that `evsynth --help` starts
 * without Node's ES module loader and without the engine, in about the time of a bare `node`. A request for help
 * or the version is answered from the command manifest written at build time (./help-manifest.ts); for anything
 * else it returns false and the entry runs the full CLI (./run.ts, bundled as dist/bin/evsynth.js).
 */
import { readFileSync } from 'node:fs';
import { packageVersion, stopQuietlyOnEpipe } from './entry.ts';
import { answerHelpRequest, isHelpRequest, type CommandEntry } from './help-manifest.ts';

/** Where the built package keeps the manifest and its package.json (given by the entry, which knows its folder). */
export interface HelpFiles {
  readonly manifest: string;
  readonly packageJson: string;
}

function readManifest(file: string): CommandEntry | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CommandEntry;
  } catch {
    return undefined; // not built: the full CLI answers
  }
}

/** Answers `argv` when it only asks for help or the version (setting the exit code); false otherwise. */
export function answerHelp(argv: readonly string[], files: HelpFiles): boolean {
  const manifest = readManifest(files.manifest);
  if (!manifest || !isHelpRequest(argv, manifest)) return false;
  stopQuietlyOnEpipe(); // `evsynth --help | head`
  process.exitCode = answerHelpRequest(argv, manifest, packageVersion(files.packageJson));
  return true;
}
