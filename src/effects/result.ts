/** Accumulates per-row effect sizes while a measure is computed. */
export class RowResults {
  readonly yi: Float64Array;
  readonly vi: Float64Array;
  readonly reasons: Map<number, string> = new Map();
  readonly corrected: number[] = [];

  constructor(k: number) {
    this.yi = new Float64Array(k).fill(Number.NaN);
    this.vi = new Float64Array(k).fill(Number.NaN);
  }

  /** Stores row i, or marks it not estimable when yi or vi is not finite (as escalc sets ±Inf to NA). */
  set(i: number, yi: number, vi: number, whyNotFinite: string): void {
    if (Number.isFinite(yi) && Number.isFinite(vi)) {
      this.yi[i] = yi;
      this.vi[i] = vi;
    } else {
      this.reasons.set(i, whyNotFinite);
    }
  }

  exclude(i: number, reason: string): void {
    this.reasons.set(i, reason);
  }
}
