/**
 * Output files of the CLI, checked before any work starts: the directory must exist (nothing is created
 * silently), the path must not be a directory and must be writable. The check creates and removes a probe
 * file, so a path the system refuses (a read-only or virtual file system such as /proc) fails at once, in
 * one line, and never after a long computation.
 */
import { closeSync, mkdirSync, openSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EvsynthError } from '../core/errors.ts';

function why(e: unknown): string {
  const code = (e as { code?: string }).code;
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOENT: 'the system does not allow a file there',
    ENOSPC: 'no space left on the device',
    EISDIR: 'it is a directory',
  };
  return (code !== undefined ? words[code] : undefined) ?? code ?? (e as Error).message;
}

/**
 * Checks that `path` can be written (see the module comment) and is none of the `inputs` (the command's input
 * files: `export r data.csv --out data.csv` would replace the data with its own export); `flag` names the
 * option for messages.
 */
export function checkOutputPath(path: string, flag = '--out', inputs: readonly string[] = []): void {
  const where = `${flag} '${path}'`;
  const same = sameFileAs(path, inputs);
  if (same !== undefined)
    throw new EvsynthError('OUTPUT_PATH', `${where}: is the input file '${same}'; writing there would replace it`);
  const dir = dirname(resolve(path));
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new EvsynthError(
      'OUTPUT_PATH',
      `${where}: the directory '${dirname(path)}' does not exist (create it first)`,
    );
  }
  if (!st.isDirectory()) throw new EvsynthError('OUTPUT_PATH', `${where}: '${dirname(path)}' is not a directory`);
  let target;
  try {
    target = statSync(path);
  } catch {
    target = null;
  }
  if (target?.isDirectory()) throw new EvsynthError('OUTPUT_PATH', `${where}: is a directory; give a file name`);
  const exists = target !== null;
  try {
    const fd = openSync(path, exists ? 'r+' : 'wx');
    closeSync(fd);
    if (!exists) unlinkSync(path);
  } catch (e) {
    throw new EvsynthError('OUTPUT_PATH', `${where}: cannot write there (${why(e)})`);
  }
}

/** Writes an output file checked by {@link checkOutputPath}; a failure is one line, not a stack trace. */
export function writeOutput(path: string, data: string | Uint8Array, flag = '--out'): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    throw new EvsynthError('OUTPUT_PATH', `${flag} '${path}': cannot write there (${why(e)})`);
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * Checks that `dir` can receive output files before any work starts: an existing directory that can be
 * written to, or a new directory whose parent exists (made by {@link makeOutputDirectory}: one level, as
 * `mkdir` without `-p`; a missing chain of directories is an error, never created silently). The check
 * writes and removes a probe, so a path the system refuses (/proc) fails at once, in one line. (Node's
 * `mkdirSync(…, { recursive: true })` never returns on such a path: it retries the parent for ever.)
 */
export function checkOutputDirectory(dir: string, flag = '--out'): void {
  const where = `${flag} '${dir}'`;
  const st = statOrNull(dir);
  if (st !== null) {
    if (!st.isDirectory()) throw new EvsynthError('OUTPUT_PATH', `${where}: is a file; expected a directory`);
    const probe = join(dir, `.evsynth-probe-${process.pid}`);
    try {
      closeSync(openSync(probe, 'wx'));
      unlinkSync(probe);
    } catch (e) {
      throw new EvsynthError('OUTPUT_PATH', `${where}: cannot write there (${why(e)})`);
    }
    return;
  }
  const parent = dirname(resolve(dir));
  const ps = statOrNull(parent);
  if (ps === null || !ps.isDirectory())
    throw new EvsynthError('OUTPUT_PATH', `${where}: the directory '${dirname(dir)}' does not exist (create it first)`);
  try {
    mkdirSync(dir);
    rmdirSync(dir);
  } catch (e) {
    throw new EvsynthError('OUTPUT_PATH', `${where}: cannot create the directory there (${why(e)})`);
  }
}

/** Makes an output directory checked by {@link checkOutputDirectory} if it does not exist (one level). */
export function makeOutputDirectory(dir: string, flag = '--out'): void {
  if (statOrNull(dir)?.isDirectory()) return;
  try {
    mkdirSync(dir);
  } catch (e) {
    throw new EvsynthError('OUTPUT_PATH', `${flag} '${dir}': cannot create the directory there (${why(e)})`);
  }
}

/** The first of `inputs` that is the file `path` names (the same device and inode, or the same resolved path). */
function sameFileAs(path: string, inputs: readonly string[]): string | undefined {
  const out = statOrNull(path);
  for (const input of inputs) {
    if (resolve(input) === resolve(path)) return input;
    const st = out === null ? null : statOrNull(input);
    if (out !== null && st !== null && st.ino === out.ino && st.dev === out.dev) return input;
  }
  return undefined;
}
