/**
 * `evsynth --help` answered from the command manifest (src/cli/help-manifest.ts) must be the full program's help,
 * word for word and with the same exit code, for every command and at any terminal width; the manifest shipped
 * in dist/bin/ must be the program's.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { answerHelpRequest, isHelpRequest } from '../src/cli/help-manifest.ts';
import { programManifest } from '../src/cli/main.ts';
import { version } from '../src/cli/version.ts';
import { runCli } from './cli-run.ts';

const manifest = programManifest();
const names = manifest.commands.map((c) => c.name);

function answered(argv: string[]): { code: number; out: string; err: string } {
  let out = '',
    err = '';
  const ow = process.stdout.write.bind(process.stdout),
    ew = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { code: answerHelpRequest(argv, manifest, version()), out, err };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
}

/** Runs f as if standard output and error were a terminal `columns` wide (commander wraps help to it). */
async function inTerminal<T>(columns: number, f: () => Promise<T>): Promise<T> {
  const saved = [process.stdout.isTTY, process.stdout.columns, process.stderr.isTTY, process.stderr.columns] as const;
  const set = (s: NodeJS.WriteStream, tty: boolean, cols: number) =>
    Object.assign(s, { isTTY: tty, columns: cols }) as unknown;
  set(process.stdout, true, columns);
  set(process.stderr, true, columns);
  try {
    return await f();
  } finally {
    set(process.stdout, saved[0], saved[1]);
    set(process.stderr, saved[2], saved[3]);
  }
}

const requests: string[][] = [
  [],
  ['--help'],
  ['-h'],
  ['--version'],
  ['-V'],
  ['help'],
  ...names.flatMap((n) => [
    [n, '--help'],
    ['help', n],
  ]),
];

describe('help from the command manifest', () => {
  it('covers every command of the program', () => {
    expect(names).toContain('fit');
    expect(names.length).toBeGreaterThanOrEqual(15);
  });
  it.each(requests.map((r) => [r.join(' ') || '(no arguments)', r] as const))(
    '%s: the same text and exit code as the full program (piped, and in terminals 60 and 200 wide)',
    async (_label, argv) => {
      expect(isHelpRequest(argv, manifest)).toBe(true);
      expect(answered(argv)).toEqual(await runCli(...argv));
      for (const cols of [60, 200])
        expect(await inTerminal(cols, async () => answered(argv))).toEqual(
          await inTerminal(cols, () => runCli(...argv)),
        );
    },
  );
  it('anything else goes to the full program (option values are checked there first)', () => {
    for (const argv of [
      ['fit', 'data.csv'],
      ['fit', 'data.csv', '--help'],
      ['fit', '--level', '2', '--help'],
      ['nonsense', '--help'],
      ['help', 'nonsense'],
      ['--help', 'fit'],
    ])
      expect(isHelpRequest(argv, manifest), argv.join(' ')).toBe(false);
  });
  it('the manifest in dist/bin (npm run build) is the program’s, and the installed command answers from it', () => {
    const shipped: unknown = JSON.parse(readFileSync('dist/bin/commands.json', 'utf8'));
    expect(shipped).toEqual(JSON.parse(JSON.stringify(manifest)));
    const run = spawnSync(process.execPath, ['bin/evsynth.cjs', 'fit', '--help'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: evsynth fit \[options\] <file>/);
    expect(run.stdout).toContain('--no-studies');
  });
});
