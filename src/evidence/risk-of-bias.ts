/**
 * Per-study risk-of-bias judgements as optional dataset columns: the one place that declares the tools,
 * their domains, columns and judgement levels, reads and validates them from a table, and summarises them
 * (the plots, the forest plot's RoB columns, the low-risk sensitivity analysis and GRADE all read them here).
 *
 * - RoB 2 (randomised trials; Sterne JAC et al. RoB 2: a revised tool for assessing risk of bias in
 *   randomised trials. BMJ 2019;366:l4898; Cochrane Handbook v6.4 ch. 8): columns `rob_d1` … `rob_d5` and
 *   `rob_overall`, judgements `low`, `some concerns`, `high`.
 * - ROBINS-I (non-randomised studies of interventions; Sterne JAC et al. BMJ 2016;355:i4919; Cochrane
 *   Handbook ch. 25): columns `robins_d1` … `robins_d7` and `robins_overall`, judgements `low`, `moderate`,
 *   `serious`, `critical`, `no information`.
 *
 * Cells are read case-insensitively with surrounding and repeated blanks ignored, and normalised to the
 * lower-case spelling above; an empty cell or NA means "not assessed". Anything else is an error naming the
 * file, line and column. Both tools use the same rule for the overall judgement: it is at least as severe
 * as the most severe domain (RoB 2 guidance, Sterne 2019, Table 3; ROBINS-I, Sterne 2016, Table 3); a row
 * that breaks it gets a warning, not an error, so that imported judgements are shown as published.
 */
import { EvsynthError } from '../core/errors.ts';
import { hasColumn, isMissingCell, stringColumn, type DataTable } from '../io/csv.ts';

export interface RobDomain {
  /** CSV column, e.g. `rob_d1`. */
  readonly column: string;
  /** Short label as robvis and RevMan print it: D1 … D5, Overall. */
  readonly label: string;
  /** The domain's name in the tool. */
  readonly name: string;
}

export interface RobToolSpec {
  readonly name: string;
  readonly reference: string;
  readonly domains: readonly RobDomain[];
  readonly overall: RobDomain;
  /** Judgement levels from least to most severe (ROBINS-I's 'no information' last, outside the order). */
  readonly levels: readonly string[];
  /** Levels that count as low risk in the low-risk sensitivity analysis. */
  readonly lowRisk: readonly string[];
  /** Fill colours of the levels (robvis's palette) and the symbol drawn in each circle. */
  readonly colours: Readonly<Record<string, string>>;
  readonly symbols: Readonly<Record<string, string>>;
}

const domains = (prefix: string, names: readonly string[]): RobDomain[] =>
  names.map((name, i) => ({ column: `${prefix}_d${i + 1}`, label: `D${i + 1}`, name }));

/** The risk-of-bias tools, by the name evsynth uses for them. */
export const ROB_TOOLS = {
  'RoB 2': {
    name: 'RoB 2',
    reference:
      'Sterne JAC, et al. RoB 2: a revised tool for assessing risk of bias in randomised trials. BMJ 2019;366:l4898',
    domains: domains('rob', [
      'Bias arising from the randomisation process',
      'Bias due to deviations from intended interventions',
      'Bias due to missing outcome data',
      'Bias in measurement of the outcome',
      'Bias in selection of the reported result',
    ]),
    overall: { column: 'rob_overall', label: 'Overall', name: 'Overall risk of bias' },
    levels: ['low', 'some concerns', 'high'],
    lowRisk: ['low'],
    colours: { low: '#02C100', 'some concerns': '#E2DF07', high: '#BF0000' },
    symbols: { low: '+', 'some concerns': '−', high: '×' },
  },
  'ROBINS-I': {
    name: 'ROBINS-I',
    reference:
      'Sterne JAC, et al. ROBINS-I: a tool for assessing risk of bias in non-randomised studies of interventions. BMJ 2016;355:i4919',
    domains: domains('robins', [
      'Bias due to confounding',
      'Bias in selection of participants into the study',
      'Bias in classification of interventions',
      'Bias due to deviations from intended interventions',
      'Bias due to missing data',
      'Bias in measurement of outcomes',
      'Bias in selection of the reported result',
    ]),
    overall: { column: 'robins_overall', label: 'Overall', name: 'Overall risk of bias' },
    levels: ['low', 'moderate', 'serious', 'critical', 'no information'],
    lowRisk: ['low'],
    colours: {
      low: '#02C100',
      moderate: '#E2DF07',
      serious: '#BF0000',
      critical: '#820000',
      'no information': '#4EA1F7',
    },
    symbols: { low: '+', moderate: '−', serious: '×', critical: '!', 'no information': '?' },
  },
} as const satisfies Record<string, RobToolSpec>;

export type RobTool = keyof typeof ROB_TOOLS;
export const ROB_TOOL_NAMES = Object.keys(ROB_TOOLS) as readonly RobTool[];

/** Colour of a study that was not assessed (an empty cell). */
export const NOT_ASSESSED_COLOUR = '#cccccc';

/** A table's judgements: per data row, one judgement (or null: not assessed) per domain, and the overall one. */
export interface RiskOfBias {
  readonly tool: RobTool;
  /** The domains then the overall judgement, in column order. */
  readonly columns: readonly RobDomain[];
  /** judgements[row][j] for columns[j]; null where the cell is empty (not assessed). */
  readonly judgements: readonly (readonly (string | null)[])[];
  /** Rows whose overall judgement is less severe than one of its domains (RoB 2 and ROBINS-I guidance). */
  readonly warnings: readonly string[];
}

function toolOfColumn(column: string): RobTool | undefined {
  if (/^rob_/i.test(column)) return 'RoB 2';
  if (/^robins_/i.test(column)) return 'ROBINS-I';
  return undefined;
}

/** Normalises a judgement as typed: lower case, blanks trimmed and collapsed. */
function normalise(cell: string): string {
  return cell.trim().replace(/\s+/g, ' ').toLowerCase();
}

const severity = (spec: RobToolSpec, level: string): number =>
  level === 'no information' ? -1 : spec.levels.indexOf(level);

/**
 * Reads and validates the risk-of-bias columns of a table; null when it has none. Errors: a column with a
 * tool's prefix that is not one of its columns, columns of both tools, a missing domain or overall column,
 * a cell that is not a judgement of the tool.
 */
export function readRiskOfBias(t: DataTable): RiskOfBias | null {
  const present = t.header.filter((h) => toolOfColumn(h) !== undefined);
  if (present.length === 0) return null;
  const tools = [...new Set(present.map((h) => toolOfColumn(h) as RobTool))];
  if (tools.length > 1)
    throw new EvsynthError(
      'INVALID_VALUE',
      `the table has columns of both RoB 2 (rob_*) and ROBINS-I (robins_*); one table holds one tool's judgements`,
      { file: t.file },
    );
  const tool = tools[0] as RobTool;
  const spec: RobToolSpec = ROB_TOOLS[tool];
  const columns = [...spec.domains, spec.overall];
  const known = columns.map((c) => c.column);
  for (const h of present)
    if (!known.includes(h))
      throw new EvsynthError(
        'INVALID_VALUE',
        `'${h}' is not a ${tool} column; expected ${known.join(', ')} (lower case)`,
        { file: t.file, column: h },
      );
  const missing = known.filter((c) => !hasColumn(t, c));
  if (missing.length > 0)
    throw new EvsynthError(
      'MISSING_COLUMN',
      `${tool} judgements need every domain and the overall judgement: missing ${missing.join(', ')}`,
      { file: t.file, column: missing[0] as string },
    );
  const expected = `${spec.levels.slice(0, -1).join(', ')} or ${spec.levels.at(-1)} (any case), or an empty cell/NA when not assessed`;
  const cells = columns.map((c) =>
    stringColumn(t, c.column).map((s, i): string | null => {
      if (isMissingCell(s)) return null;
      const v = normalise(s);
      if (!spec.levels.includes(v))
        throw new EvsynthError('INVALID_VALUE', `'${s}' is not a ${tool} judgement; expected ${expected}`, {
          file: t.file,
          line: t.lines[i] as number,
          column: c.column,
        });
      return v;
    }),
  );
  const judgements = t.rows.map((_, i) => cells.map((col) => col[i] as string | null));
  const warnings: string[] = [];
  judgements.forEach((row, i) => {
    const overall = row[row.length - 1];
    if (overall === null || overall === undefined || overall === 'no information') return;
    const worst = row
      .slice(0, -1)
      .filter((v): v is string => v !== null)
      .reduce((w, v) => (severity(spec, v) > severity(spec, w) ? v : w), spec.levels[0] as string);
    if (severity(spec, worst) > severity(spec, overall))
      warnings.push(
        `${t.file}, line ${t.lines[i]}: overall judgement '${overall}' is less severe than a domain judged '${worst}' (${tool}: the overall judgement is at least as severe as the worst domain)`,
      );
  });
  return { tool, columns, judgements, warnings };
}

/** Whether a row's overall judgement is low risk (RoB 2: low; ROBINS-I: low); null when not assessed. */
export function isLowRisk(rob: RiskOfBias, row: number): boolean | null {
  const overall = rob.judgements[row]?.[rob.columns.length - 1] ?? null;
  if (overall === null) return null;
  return (ROB_TOOLS[rob.tool].lowRisk as readonly string[]).includes(overall);
}

/** The rows kept by the low-risk sensitivity analysis and the rows left out, each with its reason. */
export function lowRiskRows(
  rob: RiskOfBias,
  labels: readonly string[],
): { readonly kept: number[]; readonly left: { row: number; label: string; reason: string }[] } {
  const kept: number[] = [];
  const left: { row: number; label: string; reason: string }[] = [];
  rob.judgements.forEach((j, i) => {
    const low = isLowRisk(rob, i);
    if (low === true) kept.push(i);
    else
      left.push({
        row: i,
        label: labels[i] ?? `row ${i + 1}`,
        reason: low === null ? `overall risk of bias not assessed` : `overall risk of bias '${j[j.length - 1]}'`,
      });
  });
  return { kept, left };
}

/** One bar of the summary plot: the share of studies (or of weight) at each level of one domain. */
export interface RobSummaryBar {
  readonly domain: RobDomain;
  /** Percent per level (levels of the tool, then 'not assessed'), summing to 100. */
  readonly shares: readonly { readonly level: string; readonly percent: number }[];
}

/**
 * The summary bar plot's data (robvis `rob_summary`): per domain, the percentage of studies at each level,
 * or with `weights` (e.g. the meta-analysis weights of the studies) the percentage of the total weight, as
 * robvis's weighted summary. Rows with weight NaN (studies not in the analysis) are left out.
 */
export function robSummary(rob: RiskOfBias, weights?: readonly number[]): RobSummaryBar[] {
  const spec: RobToolSpec = ROB_TOOLS[rob.tool];
  const w = (i: number) => (weights ? (weights[i] ?? Number.NaN) : 1);
  const rows = rob.judgements.map((_, i) => i).filter((i) => Number.isFinite(w(i)) && w(i) >= 0);
  const total = rows.reduce((s, i) => s + w(i), 0);
  return rob.columns.map((domain, j) => {
    const levels = [...spec.levels, 'not assessed'];
    const shares = levels.map((level) => {
      const sum = rows
        .filter((i) => (rob.judgements[i]?.[j] ?? 'not assessed') === level)
        .reduce((s, i) => s + w(i), 0);
      return { level, percent: total > 0 ? (100 * sum) / total : 0 };
    });
    return { domain, shares: shares.filter((s) => s.percent > 0 || spec.levels.includes(s.level)) };
  });
}
