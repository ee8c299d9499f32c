import { EvsynthError } from '../core/errors.ts';

/** One moderator term: a numeric column, or a categorical column coded with treatment contrasts. */
export interface ModeratorTerm {
  readonly kind: 'numeric' | 'factor';
  readonly column: string;
}

export interface ModeratorFormula {
  readonly intercept: boolean;
  readonly terms: readonly ModeratorTerm[];
  /** The formula as metafor would write it, e.g. "~ ablat + factor(alloc)". */
  readonly text: string;
}

/**
 * Parses a moderator formula in R's notation, restricted to what a meta-regression on CSV
 * columns needs: `~ x + factor(g)`, with `0 +` or `- 1` to drop the intercept. The leading
 * `~` is optional. Interactions and transformations are not supported (make a column).
 */
export function parseModerators(formula: string): ModeratorFormula {
  let f = formula.trim();
  if (f.startsWith('~')) f = f.slice(1).trim();
  if (f === '') throw new EvsynthError('INVALID_ARGUMENT', `empty moderator formula '${formula}'`);
  let intercept = true;
  const terms: ModeratorTerm[] = [];
  const parts = f
    .split(/(?=[+-])/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  for (const raw of parts) {
    const sign = raw.startsWith('-') ? '-' : '+';
    const t = raw.replace(/^[+-]\s*/, '').trim();
    if (t === '0' || (t === '1' && sign === '-')) {
      intercept = false;
      continue;
    }
    if (t === '1') {
      intercept = true;
      continue;
    }
    if (sign === '-')
      throw new EvsynthError('INVALID_ARGUMENT', `cannot remove term '${t}' in '${formula}' (only '- 1' is supported)`);
    const fm = /^factor\(\s*([^()\s]+)\s*\)$/.exec(t);
    if (fm) {
      terms.push({ kind: 'factor', column: fm[1] as string });
      continue;
    }
    if (!/^[A-Za-z_.][\w.]*$/.test(t)) {
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `unsupported term '${t}' in '${formula}': use column names and factor(column), joined by +`,
      );
    }
    terms.push({ kind: 'numeric', column: t });
  }
  if (terms.length === 0 && !intercept)
    throw new EvsynthError('INVALID_ARGUMENT', `the formula '${formula}' has no terms`);
  const seen = new Set<string>();
  for (const t of terms) {
    if (seen.has(t.column))
      throw new EvsynthError('INVALID_ARGUMENT', `column '${t.column}' appears twice in '${formula}'`);
    seen.add(t.column);
  }
  const text = `~ ${intercept ? '' : '0 + '}${terms.map((t) => (t.kind === 'factor' ? `factor(${t.column})` : t.column)).join(' + ') || '1'}`;
  return { intercept, terms, text };
}
