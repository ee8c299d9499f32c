/** `npm run notebooks`: regenerates every report in notebooks/out/. */
import { run as knee } from './01-knee-oa-exercise-types.ts';
import { run as antidepressants } from './02-antidepressants-lbp.ts';
import { run as claims } from './03-seed-chapter-claims.ts';
import { run as estimators } from './04-tau2-estimators.ts';
import { run as effectSizes } from './course-01-effect-sizes.ts';
import { run as commonRandom } from './course-02-common-random.ts';
import { run as heterogeneity } from './course-03-heterogeneity.ts';
import { run as intervals } from './course-05-confidence-intervals.ts';

for (const nb of [knee, antidepressants, claims, estimators, effectSizes, commonRandom, heterogeneity, intervals])
  await nb();
