/**
 * Output files of the CLI, checked before any work starts: the directory must exist (nothing is created
 * silently), the path must not be a directory and must be writable. The check creates and removes a probe
 * file, so a path the system refuses (a read-only or virtual file system such as /proc) fails at once, in
 * one line, and never after a long computation.
 */
import { closeSync, openSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
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

/** Checks that `path` can be written (see the module comment); `flag` names the option for messages. */
export function checkOutputPath(path: string, flag = '--out'): void {
  const where = `${flag} '${path}'`;
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
