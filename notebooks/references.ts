/**
 * The teaching track's bibliography, declared once: each unit cites by key and prints the entries it used.
 * DOIs are given where they were checked (against the engine's own references or the publisher's record).
 */
export const REFERENCES = {
  Borenstein2013:
    'Borenstein M, Higgins JPT (2013). Meta-analysis and subgroups. Prev Sci 14(2):134–143. doi:10.1007/s11121-013-0377-7',
  Borenstein2017:
    'Borenstein M, Higgins JPT, Hedges LV, Rothstein HR (2017). Basics of meta-analysis: I² is not an absolute measure of heterogeneity. Res Synth Methods 8(1):5–18.',
  Bradburn2007:
    'Bradburn MJ, Deeks JJ, Berlin JA, Localio AR (2007). Much ado about nothing: a comparison of the performance of meta-analytical methods with rare events. Stat Med 26(1):53–77.',
  Cochrane:
    'Higgins JPT, Thomas J, Chandler J, et al. (eds). Cochrane Handbook for Systematic Reviews of Interventions, version 6; chapter 10 (Deeks JJ, Higgins JPT, Altman DG: Analysing data and undertaking meta-analyses).',
  Deeks2010:
    'Deeks JJ, Higgins JPT (2010). Statistical algorithms in Review Manager 5. Cochrane Statistical Methods Group.',
  DerSimonian1986:
    'DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Control Clin Trials 7(3):177–188. doi:10.1016/0197-2456(86)90046-2',
  Duval2000:
    'Duval S, Tweedie R (2000). Trim and fill: a simple funnel-plot-based method of testing and adjusting for publication bias in meta-analysis. Biometrics 56(2):455–463. doi:10.1111/j.0006-341X.2000.00455.x',
  Egger1997:
    'Egger M, Davey Smith G, Schneider M, Minder C (1997). Bias in meta-analysis detected by a simple, graphical test. BMJ 315(7109):629–634. doi:10.1136/bmj.315.7109.629',
  Hartung2001:
    'Hartung J, Knapp G (2001). A refined method for the meta-analysis of controlled clinical trials with binary outcome. Stat Med 20(24):3875–3889.',
  Hedges1981:
    "Hedges LV (1981). Distribution theory for Glass's estimator of effect size and related estimators. J Educ Stat 6(2):107–128. doi:10.3102/10769986006002107",
  Hedges1999:
    'Hedges LV, Gurevitch J, Curtis PS (1999). The meta-analysis of response ratios in experimental ecology. Ecology 80(4):1150–1156.',
  Higgins2002:
    'Higgins JPT, Thompson SG (2002). Quantifying heterogeneity in a meta-analysis. Stat Med 21(11):1539–1558.',
  Higgins2003:
    'Higgins JPT, Thompson SG, Deeks JJ, Altman DG (2003). Measuring inconsistency in meta-analyses. BMJ 327(7414):557–560.',
  Higgins2004:
    'Higgins JPT, Thompson SG (2004). Controlling the risk of spurious findings from meta-regression. Stat Med 23(11):1663–1682. doi:10.1002/sim.1752',
  Higgins2009:
    'Higgins JPT, Thompson SG, Spiegelhalter DJ (2009). A re-evaluation of random-effects meta-analysis. J R Stat Soc A 172(1):137–159. doi:10.1111/j.1467-985X.2008.00552.x',
  IntHout2016:
    'IntHout J, Ioannidis JPA, Rovers MM, Goeman JJ (2016). Plea for routinely presenting prediction intervals in meta-analysis. BMJ Open 6(7):e010247.',
  Knapp2003:
    'Knapp G, Hartung J (2003). Improved tests for a random effects meta-regression with a single covariate. Stat Med 22(17):2693–2710. doi:10.1002/sim.1482',
  Langan2017:
    'Langan D, Higgins JPT, Simmonds M (2017). Comparative performance of heterogeneity variance estimators in meta-analysis: a review of simulation studies. Res Synth Methods 8(2):181–198.',
  Langan2019:
    'Langan D, Higgins JPT, Jackson D, Bowden J, Veroniki AA, Kontopantelis E, Viechtbauer W, Simmonds M (2019). A comparison of heterogeneity variance estimators in simulated random-effects meta-analyses. Res Synth Methods 10(1):83–98. doi:10.1002/jrsm.1316',
  Morris2019:
    'Morris TP, White IR, Crowther MJ (2019). Using simulation studies to evaluate statistical methods. Stat Med 38(11):2074–2102. doi:10.1002/sim.8086',
  Peters2007:
    'Peters JL, Sutton AJ, Jones DR, Abrams KR, Rushton L (2007). Performance of the trim and fill method in the presence of publication bias and between-study heterogeneity. Stat Med 26(25):4544–4562.',
  Phipson2010:
    'Phipson B, Smyth GK (2010). Permutation p-values should never be zero: calculating exact p-values when permutations are randomly drawn. Stat Appl Genet Mol Biol 9:39.',
  Pustejovsky2019:
    'Pustejovsky JE, Rodgers MA (2019). Testing for funnel plot asymmetry of standardized mean differences. Res Synth Methods 10(1):57–71. doi:10.1002/jrsm.1332',
  Rice2018:
    'Rice K, Higgins JPT, Lumley T (2018). A re-evaluation of fixed effect(s) meta-analysis. J R Stat Soc A 181(1):205–227.',
  Rover2015:
    'Röver C, Knapp G, Friede T (2015). Hartung-Knapp-Sidik-Jonkman approach and its modification for random-effects meta-analysis with few studies. BMC Med Res Methodol 15:99.',
  Rucker2008:
    'Rücker G, Schwarzer G, Carpenter JR, Schumacher M (2008). Undue reliance on I² in assessing heterogeneity may mislead. BMC Med Res Methodol 8:79. doi:10.1186/1471-2288-8-79',
  Sidik2002: 'Sidik K, Jonkman JN (2002). A simple confidence interval for meta-analysis. Stat Med 21(21):3153–3159.',
  Jackson2017:
    'Jackson D, Law M, Rücker G, Schwarzer G (2017). The Hartung-Knapp modification for random-effects meta-analysis: a useful refinement but are there any residual concerns? Stat Med 36(25):3923–3934.',
  Stanley2014:
    'Stanley TD, Doucouliagos H (2014). Meta-regression approximations to reduce publication selection bias. Res Synth Methods 5(1):60–78. doi:10.1002/jrsm.1095',
  Sterne2011:
    'Sterne JAC, Sutton AJ, Ioannidis JPA, et al. (2011). Recommendations for examining and interpreting funnel plot asymmetry in meta-analyses of randomised controlled trials. BMJ 343:d4002. doi:10.1136/bmj.d4002',
  Sun2010:
    'Sun X, Briel M, Walter SD, Guyatt GH (2010). Is a subgroup effect believable? Updating criteria to evaluate the credibility of subgroup analyses. BMJ 340:c117. doi:10.1136/bmj.c117',
  Sweeting2004:
    'Sweeting MJ, Sutton AJ, Lambert PC (2004). What to add to nothing? Use and avoidance of continuity corrections in meta-analysis of sparse data. Stat Med 23(9):1351–1375. doi:10.1002/sim.1761',
  Terrin2003:
    'Terrin N, Schmid CH, Lau J, Olkin I (2003). Adjusting for publication bias in the presence of heterogeneity. Stat Med 22(13):2113–2126.',
  Thompson2002:
    'Thompson SG, Higgins JPT (2002). How should meta-regression analyses be undertaken and interpreted? Stat Med 21(11):1559–1573.',
  Veroniki2016:
    'Veroniki AA, Jackson D, Viechtbauer W, et al. (2016). Methods to estimate the between-study variance and its uncertainty in meta-analysis. Res Synth Methods 7(1):55–79. doi:10.1002/jrsm.1164',
  Viechtbauer2005:
    'Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators in the random-effects model. J Educ Behav Stat 30(3):261–293. doi:10.3102/10769986030003261',
  Viechtbauer2007:
    'Viechtbauer W (2007). Confidence intervals for the amount of heterogeneity in meta-analysis. Stat Med 26(1):37–52. doi:10.1002/sim.2514',
  Viechtbauer2015:
    'Viechtbauer W, López-López JA, Sánchez-Meca J, Marín-Martínez F (2015). A comparison of procedures to test for moderators in mixed-effects meta-regression models. Psychol Methods 20(3):360–374. doi:10.1037/met0000023',
  vonHippel2015:
    'von Hippel PT (2015). The heterogeneity statistic I² can be biased in small meta-analyses. BMC Med Res Methodol 15:35.',
} as const;

export type ReferenceKey = keyof typeof REFERENCES;
