/** `npm run notebooks`: regenerates every report in notebooks/out/ (the analyses, then the course in order). */
import { run as knee } from './01-knee-oa-exercise-types.ts';
import { run as antidepressants } from './02-antidepressants-lbp.ts';
import { run as claims } from './03-seed-chapter-claims.ts';
import { run as dependent } from './06-dependent-effects.ts';
import { run as effectSizes } from './course-01-effect-sizes.ts';
import { run as commonRandom } from './course-02-common-random.ts';
import { run as heterogeneity } from './course-03-heterogeneity.ts';
import { run as estimators } from './course-04-tau2-estimators.ts';
import { run as intervals } from './course-05-confidence-intervals.ts';
import { run as subgroups } from './course-06-subgroups.ts';
import { run as smallStudies } from './course-07-small-study-effects.ts';
import { run as metaRegression } from './course-08-meta-regression.ts';

const notebooks = [
  knee,
  antidepressants,
  claims,
  dependent,
  effectSizes,
  commonRandom,
  heterogeneity,
  estimators,
  intervals,
  subgroups,
  smallStudies,
  metaRegression,
];
const started = performance.now();
for (const nb of notebooks) await nb();
process.stdout.write(`${notebooks.length} notebooks in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
