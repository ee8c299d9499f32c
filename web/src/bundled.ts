/**
 * The bundled datasets (datasets/<name>/provenance.json and data.csv), read into the bundle at build time and
 * validated here as the CLI validates them: provenance fields, then the CSV. Datasets without study rows
 * (published claims only) are listed for the Reproduce tab.
 */
import {
  datasetResolver,
  parseCsv,
  validateProvenance,
  type ClaimResolver,
  type DataTable,
  type Dataset,
  type Provenance,
} from 'evsynth';

const provenances = import.meta.glob('../../datasets/*/provenance.json', { eager: true, import: 'default' }) as Record<
  string,
  unknown
>;
const csvFiles = import.meta.glob('../../datasets/*/data.csv', {
  eager: true,
  query: '?raw',
  import: 'default',
}) as Record<string, string>;

export interface Bundled {
  readonly name: string;
  readonly provenance: Provenance;
  /** The CSV text (null: the review's rows are not available; claims only). */
  readonly csv: string | null;
  readonly table: DataTable | null;
  /** The file name errors name, as the CLI names it. */
  readonly file: string;
}

export const BUNDLED: readonly Bundled[] = Object.entries(provenances)
  .map(([path, json]) => {
    const dir = path.replace(/\/provenance\.json$/, '');
    const name = dir.split('/').pop() as string;
    const file = `datasets/${name}/data.csv`;
    const csv = csvFiles[`${dir}/data.csv`] ?? null;
    return {
      name,
      provenance: validateProvenance(json, `datasets/${name}/provenance.json`),
      csv,
      table: csv === null ? null : parseCsv(csv, file),
      file,
    };
  })
  .sort((a, b) => a.name.localeCompare(b.name));

export function bundled(name: string): Bundled | undefined {
  return BUNDLED.find((d) => d.name === name);
}

/** The engine's Dataset of a bundled dataset, with other rows when given (an edited version). */
export function datasetOf(b: Bundled, table: DataTable | null = b.table): Dataset {
  return {
    name: b.name,
    dir: `datasets/${b.name}`,
    provenance: b.provenance,
    table,
    dataFile: b.csv === null ? null : b.file,
  };
}

/** Resolves claims that point at other bundled datasets' claims (as the CLI does from datasets/). */
export const resolver: ClaimResolver = datasetResolver((name) => {
  const b = bundled(name);
  if (b === undefined) throw new Error(`no bundled dataset '${name}'`);
  return datasetOf(b);
});

/** The first dataset shown: the flagship knee-OA pain analysis. */
export const FLAGSHIP = 'knee-oa-exercise-pain';
