import { EvsynthError } from '../core/errors.ts';
import { isMissingCell, isNumberCell } from '../io/csv.ts';
import type { Design } from './design.ts';
import type { ModeratorFormula } from './formula.ts';

export interface ModelMatrix {
  readonly design: Design;
  /** Input rows used (in order) and rows left out for a missing moderator, with the reason. */
  readonly rows: readonly number[];
  readonly excluded: readonly { readonly row: number; readonly reason: string }[];
  /** Levels of each factor term (first = reference). */
  readonly levels: Readonly<Record<string, readonly string[]>>;
}

/** Factor levels sorted as R's factor() does: numerically when all levels are numbers, else by code point. */
export function sortLevels(values: readonly string[]): string[] {
  const u = [...new Set(values)];
  return u.every((v) => isNumberCell(v)) ? u.sort((a, b) => Number(a) - Number(b)) : u.sort();
}

/**
 * Builds the model matrix X for `formula` from string columns (R's `model.matrix` with treatment
 * contrasts): an intercept column `intrcpt` unless removed; a numeric term is its column; a
 * factor term contributes one 0/1 column per non-reference level, named `factor(col)level`
 * (all levels when there is no intercept and it is the first factor). Rows among `candidates` with a
 * missing moderator are excluded and reported; a non-numeric value in a numeric term is an error.
 *
 * Cross-check: metafor `rma(yi, vi, mods = ~ …)` and its `X`.
 */
export function buildModelMatrix(
  formula: ModeratorFormula,
  columns: Readonly<Record<string, readonly string[]>>,
  candidates: readonly number[],
): ModelMatrix {
  for (const t of formula.terms) {
    if (columns[t.column] === undefined)
      throw new EvsynthError(
        'MISSING_COLUMN',
        `moderator column '${t.column}' does not exist (columns: ${Object.keys(columns).join(', ')})`,
        { column: t.column },
      );
  }
  const excluded: { row: number; reason: string }[] = [];
  const rows: number[] = [];
  for (const r of candidates) {
    const miss = formula.terms.find((t) => isMissingCell(columns[t.column]?.[r] ?? ''));
    if (miss) excluded.push({ row: r, reason: `missing value in moderator '${miss.column}'` });
    else rows.push(r);
  }
  const levels: Record<string, string[]> = {};
  const names: string[] = formula.intercept ? ['intrcpt'] : [];
  let firstFactorFull = !formula.intercept;
  const builders: ((r: number) => number[])[] = [];
  for (const t of formula.terms) {
    const col = columns[t.column] as readonly string[];
    if (t.kind === 'numeric') {
      for (const r of rows) {
        const s = (col[r] as string).trim();
        if (!isNumberCell(s)) {
          throw new EvsynthError(
            'NOT_A_NUMBER',
            `'${s}' is not a number; '${t.column}' is a continuous moderator (use factor(${t.column}) for a categorical one)`,
            { row: r, column: t.column },
          );
        }
      }
      names.push(t.column);
      builders.push((r) => [Number((col[r] as string).trim())]);
    } else {
      const lv = sortLevels(rows.map((r) => (col[r] as string).trim()));
      levels[t.column] = lv;
      const used = firstFactorFull ? lv : lv.slice(1);
      firstFactorFull = false;
      for (const l of used) names.push(`factor(${t.column})${l}`);
      // each row's level by one look-up (not a comparison per level: O(k·G) trims for G levels)
      const column = new Map(used.map((l, j) => [l, j]));
      builders.push((r) => {
        const out = new Array<number>(used.length).fill(0);
        const j = column.get((col[r] as string).trim());
        if (j !== undefined) out[j] = 1;
        return out;
      });
    }
  }
  const p = names.length;
  const x = new Float64Array(rows.length * p);
  rows.forEach((r, i) => {
    let j = 0;
    if (formula.intercept) x[i * p + j++] = 1;
    for (const b of builders) for (const v of b(r)) x[i * p + j++] = v;
  });
  return { design: { k: rows.length, p, x, names }, rows, excluded, levels };
}
