/**
 * The Cochrane Handbook's rough guide to interpreting I² (Higgins JPT, Thomas J, et al. (eds). Cochrane
 * Handbook for Systematic Reviews of Interventions v6.4, 2023, §10.10.2). The bands overlap on purpose
 * ("the importance of the observed value of I² depends on (1) magnitude and direction of effects and (2)
 * strength of evidence for heterogeneity"), so a value can lie in two bands:
 *
 *   0% to 40%: might not be important; 30% to 60%: may represent moderate heterogeneity;
 *   50% to 90%: may represent substantial heterogeneity; 75% to 100%: considerable heterogeneity.
 */
export const I2_BANDS = [
  { name: 'might not be important', lower: 0, upper: 40 },
  { name: 'moderate', lower: 30, upper: 60 },
  { name: 'substantial', lower: 50, upper: 90 },
  { name: 'considerable', lower: 75, upper: 100 },
] as const;

/** The names of the bands that contain I² (percent), e.g. ['moderate', 'substantial'] for 55%. */
export function i2Bands(I2: number): string[] {
  if (!Number.isFinite(I2) || I2 < 0 || I2 > 100) return [];
  return I2_BANDS.filter((b) => I2 >= b.lower && I2 <= b.upper).map((b) => b.name);
}

/** The bands as one phrase: "moderate or substantial". */
export function i2BandText(I2: number): string {
  const b = i2Bands(I2);
  return b.length === 0 ? 'not defined' : b.join(' or ');
}
