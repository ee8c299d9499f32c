/**
 * Errors with stable codes. Every error evsynth throws on purpose is an
 * {@link EvsynthError}; its `code` is part of the public API and never changes
 * meaning, its message is for people.
 */

/** Stable error codes. */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'LENGTH_MISMATCH'
  | 'TOO_FEW_STUDIES'
  | 'NON_FINITE'
  | 'NEGATIVE_VALUE'
  | 'NON_POSITIVE_VARIANCE'
  | 'UNKNOWN_MEASURE'
  | 'UNKNOWN_METHOD'
  | 'UNKNOWN_OPTION_VALUE'
  | 'MISSING_COLUMN'
  | 'DUPLICATE_COLUMN'
  | 'NOT_A_NUMBER'
  | 'EMPTY_FILE'
  | 'CSV_SYNTAX'
  | 'FILE_NOT_FOUND'
  | 'INVALID_VALUE'
  | 'SINGULAR_MATRIX'
  | 'NOT_POSITIVE_DEFINITE'
  | 'NOT_CONVERGED'
  /**
   * No finite answer can be reported: it overflows the double range (e.g. τ² ≈ 1e600, an SE of τ² over 1.8e308),
   * or it cannot be computed in double precision (sums lost to rounding where variances lie hundreds of orders of
   * magnitude apart, studies more than the double range apart that carry part of Q_E). Never NaN or null fields
   * in a result reported as a success instead.
   */
  | 'NO_FINITE_RESULT'
  /** A test or analysis that needs more studies (or a model without moderators) than it was given. */
  | 'NOT_APPLICABLE'
  | 'OUTPUT_PATH';

/** Where in an input file a problem is (1-based line as an editor shows it). */
export interface SourceLocation {
  readonly file?: string;
  /** 1-based line in the file (header = line 1). */
  readonly line?: number;
  /** 0-based data row, for errors raised before the row is tied to a file line. */
  readonly row?: number;
  readonly column?: string;
}

/** The one error type evsynth throws for bad input or impossible requests. */
export class EvsynthError extends Error {
  readonly code: ErrorCode;
  readonly location: SourceLocation | undefined;
  /** The message without the location prefix. */
  readonly detail: string;

  constructor(code: ErrorCode, message: string, location?: SourceLocation) {
    super(formatLocation(location) + message);
    this.name = 'EvsynthError';
    this.code = code;
    this.location = location;
    this.detail = message;
  }

  /** The same error, placed in a file (a data row becomes its file line). */
  inFile(file: string, lineOfRow: (row: number) => number): EvsynthError {
    const loc = this.location ?? {};
    const line = loc.line ?? (loc.row !== undefined ? lineOfRow(loc.row) : undefined);
    return new EvsynthError(this.code, this.detail, {
      file,
      ...(line !== undefined ? { line } : {}),
      ...(loc.column !== undefined ? { column: loc.column } : {}),
    });
  }
}

function formatLocation(loc: SourceLocation | undefined): string {
  if (loc === undefined) return '';
  const parts: string[] = [];
  if (loc.file !== undefined) parts.push(loc.file);
  if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  else if (loc.row !== undefined) parts.push(`row ${loc.row + 1}`);
  if (loc.column !== undefined) parts.push(`column '${loc.column}'`);
  return parts.length > 0 ? `${parts.join(', ')}: ` : '';
}
