/** JSON with NaN/±Infinity written as null (JSON has no such numbers) and typed arrays as arrays. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return null;
      if (v instanceof Float64Array) return Array.from(v, (x) => (Number.isFinite(x) ? x : null));
      return v;
    },
    2,
  );
}
