/**
 * What both entries of the command do alike: the full command line (./run.ts, an ES module bundle) and help and
 * version (./launch.ts, bundled on its own as CommonJS for a fast `evsynth --help`). No `import.meta` here, which
 * the CommonJS bundle does not have.
 */
import { readFileSync } from 'node:fs';

/**
 * Output piped into a command that stops reading (`evsynth reproduce | head`): stop quietly with the exit code so
 * far, as Unix tools do, instead of failing with EPIPE.
 */
export function stopQuietlyOnEpipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

/** The version in the package.json at `file`. */
export function packageVersion(file: string | URL): string {
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
