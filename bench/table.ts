/** The benchmarks' results table: one row per workload, evsynth's and metafor's median times, their ratio. */
import { cpus } from 'node:os';

export interface BenchRow {
  readonly workload: string;
  readonly evsynth: number;
  readonly metafor: number | null;
  readonly target: string;
  readonly note: string;
}

/** Seconds as s, ms or µs. */
export function fmt(s: number): string {
  return s >= 1 ? `${s.toFixed(2)} s` : s >= 1e-3 ? `${(s * 1e3).toFixed(2)} ms` : `${(s * 1e6).toFixed(1)} µs`;
}

/** Collects rows, reporting each on stderr as it is measured, and prints the table (text or Markdown). */
export class BenchTable {
  readonly rows: BenchRow[] = [];
  add(workload: string, evsynth: number, metafor: number | null, target: string, note = ''): void {
    this.rows.push({ workload, evsynth, metafor, target, note });
    process.stderr.write(
      `${workload}: evsynth ${fmt(evsynth)}${metafor !== null ? `, metafor ${fmt(metafor)} (${(metafor / evsynth).toFixed(0)}×)` : ''}\n`,
    );
  }
  print(versions: string, mode: string | null, markdown: boolean): void {
    const header = `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}; Node ${process.version}; ${versions}${mode !== null ? `; mode: ${mode}` : ''}`;
    const table = [
      ['workload', 'evsynth', 'metafor', 'ratio', 'target', 'note'],
      ...this.rows.map((r) => [
        r.workload,
        fmt(r.evsynth),
        r.metafor === null ? '—' : fmt(r.metafor),
        r.metafor === null ? '—' : `${(r.metafor / r.evsynth).toFixed(0)}×`,
        r.target,
        r.note,
      ]),
    ];
    if (markdown) {
      process.stdout.write(
        `${header}\n\n| ${table[0]!.join(' | ')} |\n|${table[0]!.map(() => ' --- ').join('|')}|\n${table
          .slice(1)
          .map((r) => `| ${r.join(' | ')} |`)
          .join('\n')}\n`,
      );
    } else {
      const w = table[0]!.map((_, j) => Math.max(...table.map((r) => (r[j] ?? '').length)));
      process.stdout.write(
        `${header}\n\n${table.map((r) => r.map((c, j) => c.padEnd(w[j] as number)).join('  ')).join('\n')}\n`,
      );
    }
  }
}
