import { packageVersion } from './entry.ts';

/** The package version, read from package.json (two folders up from src/cli/, dist/cli/ and dist/bin/ alike). */
export function version(): string {
  return packageVersion(new URL('../../package.json', import.meta.url));
}
