# Generates tests/fixtures/golden-mv.json: multilevel/multivariate models (metafor rma.mv) with their profile-
# likelihood CIs, predictions and multilevel I², and cluster-robust inference (metafor robust(): CR1; clubSandwich:
# CR2 with Satterthwaite df and the HTZ test) for rma.mv and rma.uni fits (issue 15).
# Data: metadat's dat.konstantopoulos2011, dat.assink2016, dat.berkey1998, dat.bornmann2007, dat.ishak2007 (metadat is
# GPL-2; only the columns a case needs are stored, with the dataset named in the case), and simulated data.
# Every model is fitted with tight convergence control (nlminb rel.tol = 1e-12, or the next control in `tight` that
# converges; recorded in each case as `control`).
# Usage: Rscript scripts/golden/gen-mv.R tests/fixtures/golden-mv.json
source(file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))), "helpers.R"))
suppressPackageStartupMessages({ library(metadat); library(clubSandwich) })
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "tests/fixtures/golden-mv.json"
versions$generator <- "scripts/golden/gen-mv.R"
versions$metadat <- as.character(packageVersion("metadat"))
versions$clubSandwich <- as.character(packageVersion("clubSandwich"))
cases <- list()
add_case <- function(case) { case$versions <- versions; cases[[length(cases) + 1]] <<- case; cat(case$id, "\n") }

# metafor's optimisers work on log-variances with numerical derivatives and stop early (gradients of 1e-6 to 1e-4 at
# nlminb's default): each model is fitted with several optimisers at tight tolerances and the fit with the highest
# (restricted) log-likelihood is kept; `ll_default` records what metafor's default control reaches.
CONTROLS <- list(list(optimizer = "bobyqa", rhoend = 1e-12),
                 list(optimizer = "newuoa", rhoend = 1e-12),
                 list(rel.tol = 1e-12, iter.max = 10000, eval.max = 10000),
                 list(rel.tol = 1e-10, iter.max = 10000, eval.max = 10000))
tight <- function(a) {
  best <- NULL
  for (ctl in CONTROLS) {
    r <- try(suppressWarnings(do.call(rma.mv, c(a, list(control = ctl)))), silent = TRUE)
    if (!inherits(r, "try-error") && (is.null(best) || logLik(r) > logLik(best))) { attr(r, "ctl") <- ctl; best <- r }
  }
  if (is.null(best)) stop("no control converged")
  dflt <- try(suppressWarnings(do.call(rma.mv, a)), silent = TRUE)
  attr(best, "ll_default") <- if (inherits(dflt, "try-error")) NA else as.numeric(logLik(dflt))
  best
}
ctl_text <- function(r) { c <- attr(r, "ctl"); paste(names(c), unlist(c), sep = "=", collapse = ", ") }

# V as variances plus non-zero covariances (1-based rows)
v_pairs <- function(V) {
  V <- as.matrix(V); idx <- which(upper.tri(V) & V != 0, arr.ind = TRUE)
  list(diag = diag(V), i = if (nrow(idx)) idx[, 1] else numeric(0), j = if (nrow(idx)) idx[, 2] else numeric(0),
       cov = if (nrow(idx)) V[idx] else numeric(0))
}
# multilevel I² (metafor's web page "I^2 for multilevel and multivariate models", Nakagawa & Santos 2012)
i2_fields <- function(res) {
  if (!res$withS || res$withG || res$withH) return(NULL)
  W <- solve(res$V); X <- model.matrix(res)
  P <- W - W %*% X %*% solve(t(X) %*% W %*% X) %*% t(X) %*% W
  vt <- (res$k - res$p) / sum(diag(P))
  list(total = 100 * sum(res$sigma2) / (sum(res$sigma2) + vt), components = 100 * res$sigma2 / (sum(res$sigma2) + vt))
}
mv_fields <- function(res) {
  fs <- fitstats(res)
  list(k = res$k, p = res$p, method = res$method, test = res$test, coef_names = rownames(res$beta),
       beta = num(res$beta), se = num(res$se), zval = num(res$zval), pval = num(res$pval), ci.lb = num(res$ci.lb),
       ci.ub = num(res$ci.ub), vb = unname(res$vb), ddf = if (res$test == "z") NA else num(res$ddf),
       sigma2 = if (res$withS) num(res$sigma2) else NULL, tau2 = if (res$withG) num(res$tau2) else NULL,
       rho = if (res$withG) num(res$rho) else NULL, gamma2 = if (res$withH) num(res$gamma2) else NULL,
       phi = if (res$withH) num(res$phi) else NULL,
       s.nlevels = if (res$withS) res$s.nlevels else NULL,
       QE = num(res$QE), QEp = num(res$QEp), QM = num(res$QM), QMp = num(res$QMp), QMdf = num(res$QMdf),
       ll = fs[1, 1], dev = fs[2, 1], AIC = fs[3, 1], BIC = fs[4, 1], AICc = fs[5, 1],
       weights = num(weights(res)), I2 = i2_fields(res))
}
# profile-likelihood CIs of every free component: name, estimate, bounds
ci_fields <- function(res) {
  ci <- suppressWarnings(confint(res, control = list(tol = 1e-10)))
  one <- function(x) { r <- x$random; list(name = rownames(r)[1], estimate = num(r[1, 1]), ci.lb = num(r[1, 2]), ci.ub = num(r[1, 3])) }
  if (inherits(ci, "list.confint.rma")) lapply(ci[sapply(ci, function(x) is.list(x) && !is.null(x$random))], one) else list(one(ci))
}
pred_fields <- function(p) list(pred = num(p$pred), se = num(p$se), ci.lb = num(p$ci.lb), ci.ub = num(p$ci.ub),
                                pi.lb = num(p$pi.lb), pi.ub = num(p$pi.ub))
robust_fields <- function(res, cluster, btt = NULL) {
  r1 <- robust(res, cluster = cluster, adjust = TRUE)
  cr1 <- list(beta = num(r1$beta), se = num(r1$se), tval = num(r1$zval), pval = num(r1$pval), ci.lb = num(r1$ci.lb),
              ci.ub = num(r1$ci.ub), vb = unname(r1$vb), df = num(r1$ddf), QM = num(r1$QM), QMp = num(r1$QMp),
              QMdf = num(r1$QMdf), n = r1$n)
  r0 <- robust(res, cluster = cluster, adjust = FALSE)
  cr2 <- vcovCR(res, cluster = cluster, type = "CR2")
  ct <- coef_test(res, vcov = cr2, test = "Satterthwaite")
  out <- list(CR1 = cr1, CR0 = list(vb = unname(r0$vb)),
              CR2 = list(vb = unname(as.matrix(cr2)), se = num(ct$SE), tval = num(ct$tstat), df = num(ct$df_Satt), pval = num(ct$p_Satt)))
  if (!is.null(btt)) {
    w <- Wald_test(res, constraints = constrain_zero(btt), vcov = cr2, test = "HTZ")
    out$CR2$HTZ <- list(btt = btt, Fstat = num(w$Fstat), df_num = num(w$df_num), df_denom = num(w$df_denom), pval = num(w$p_val))
  }
  rc <- robust(res, cluster = cluster, clubSandwich = TRUE)
  out$CR2$metafor <- list(se = num(rc$se), tval = num(rc$zval), df = num(rc$ddf), pval = num(rc$pval), ci.lb = num(rc$ci.lb),
                          ci.ub = num(rc$ci.ub), QM = num(rc$QM), QMp = num(rc$QMp), QMdf = num(rc$QMdf))
  out
}

# One rma.mv case. `data` holds the columns to store; `a` the rma.mv arguments besides yi, V, data.
mv_case <- function(id, dataset, data, V, a, spec, cluster = NULL, btt = NULL, newmods = NULL, ci = TRUE) {
  res <- tight(c(list(yi = data$yi, V = V, data = data), a))
  exp <- mv_fields(res)
  exp$ll_default <- attr(res, "ll_default")
  if (ci) exp$confint <- ci_fields(res)
  if (!is.null(newmods)) {
    exp$predict <- lapply(newmods, function(nm) {
      pr <- if (is.null(nm$x)) predict(res, tau2.levels = nm$tau2.level) else predict(res, newmods = nm$x, tau2.levels = nm$tau2.level)
      c(list(x = nm$x, tau2.level = nm$tau2.level), pred_fields(pr))
    })
  }
  if (!is.null(cluster)) exp$robust <- robust_fields(res, data[[cluster]], btt)
  Vp <- if (is.matrix(V)) v_pairs(V) else list(diag = V)
  add_case(list(id = id, family = "rma.mv", dataset = dataset, args = c(spec, list(cluster = cluster)), control = ctl_text(res),
                input = data[, setdiff(names(data), c("vi")), drop = FALSE], V = Vp, expected = exp))
}


## dat.konstantopoulos2011: three-level model (schools within districts)
d <- dat.konstantopoulos2011
d <- data.frame(district = d$district, school = d$school, year = d$year, yi = d$yi, vi = d$vi)
d$x <- d$year - 1990
src <- "metadat dat.konstantopoulos2011 (Konstantopoulos 2011), columns district, school, year, yi, vi"
for (m in c("REML", "ML")) for (t in c("z", "t")) {
  mv_case(sprintf("konstantopoulos2011/three-level-%s-%s", m, t), src, d, d$vi,
          list(random = ~ 1 | district/school, method = m, test = t),
          list(random = "~ 1 | district/school", method = m, test = t),
          cluster = "district", newmods = list(list(x = NULL, tau2.level = NULL)))
}
mv_case("konstantopoulos2011/year-contain", src, d, d$vi,
        list(mods = ~ x, random = ~ 1 | district/school, dfs = "contain"),
        list(random = "~ 1 | district/school", mods = "~ x", method = "REML", test = "t", dfs = "contain"),
        cluster = "district", btt = 2, newmods = list(list(x = 5, tau2.level = NULL)))
mv_case("konstantopoulos2011/sigma2-fixed-NA-0", src, d, d$vi,
        list(random = ~ 1 | district/school, sigma2 = c(NA, 0)),
        list(random = "~ 1 | district/school", method = "REML", test = "z", sigma2 = c(NA, 0)), ci = TRUE)
mv_case("konstantopoulos2011/common-effect-V", src, d, d$vi, list(), list(random = NULL, method = "REML", test = "z"), ci = FALSE)

## dat.assink2016: three-level model with moderators (deltype: 3 levels)
d <- dat.assink2016
d <- data.frame(study = d$study, esid = d$esid, year = d$year, deltype = d$deltype, yi = d$yi, vi = d$vi)
src <- "metadat dat.assink2016 (Assink et al. 2016), columns study, esid, year, deltype, yi, vi"
mv_case("assink2016/three-level", src, d, d$vi, list(random = ~ 1 | study/esid),
        list(random = "~ 1 | study/esid", method = "REML", test = "z"), cluster = "study",
        newmods = list(list(x = NULL, tau2.level = NULL)))
mv_case("assink2016/deltype-year", src, d, d$vi, list(mods = ~ factor(deltype) + year, random = ~ 1 | study/esid),
        list(random = "~ 1 | study/esid", mods = "~ factor(deltype) + year", method = "REML", test = "z"),
        cluster = "study", btt = 2:4, newmods = list(list(x = c(1, 0, -2), tau2.level = NULL)))
mv_case("assink2016/deltype-t-contain", src, d, d$vi, list(mods = ~ factor(deltype), random = ~ 1 | study/esid, dfs = "contain"),
        list(random = "~ 1 | study/esid", mods = "~ factor(deltype)", method = "REML", test = "t", dfs = "contain"),
        cluster = "study", btt = 2:3)

## dat.berkey1998: bivariate model, known within-trial covariances
d <- dat.berkey1998
V <- bldiag(lapply(split(d[, c("v1i", "v2i")], d$trial), as.matrix))
d <- data.frame(trial = d$trial, outcome = d$outcome, year = d$year, yi = d$yi, vi = d$vi)
d$year_AL <- ifelse(d$outcome == "AL", d$year - 1983, 0); d$year_PD <- ifelse(d$outcome == "PD", d$year - 1983, 0)
src <- "metadat dat.berkey1998 (Berkey et al. 1998), columns trial, outcome, year, yi and V (from v1i, v2i)"
for (s in c("UN", "CS", "HCS", "DIAG", "ID")) {
  mv_case(sprintf("berkey1998/outcome-%s", s), src, d, V, list(mods = ~ outcome - 1, random = ~ outcome | trial, struct = s),
          list(random = "~ outcome | trial", struct = s, mods = "~ 0 + factor(outcome)", method = "REML", test = "z"),
          cluster = "trial", btt = 1:2,
          newmods = list(list(x = c(1, 0), tau2.level = "AL"), list(x = c(0, 1), tau2.level = "PD")))
}
mv_case("berkey1998/outcome-UN-ML", src, d, V, list(mods = ~ outcome - 1, random = ~ outcome | trial, struct = "UN", method = "ML"),
        list(random = "~ outcome | trial", struct = "UN", mods = "~ 0 + factor(outcome)", method = "ML", test = "z"))
mv_case("berkey1998/outcome-year-UN", src, d, V,
        list(mods = ~ outcome + year_AL + year_PD - 1, random = ~ outcome | trial, struct = "UN"),
        list(random = "~ outcome | trial", struct = "UN", mods = "~ 0 + factor(outcome) + year_AL + year_PD", method = "REML", test = "z"),
        ci = FALSE)

## dat.bornmann2007: log odds ratios, three-level and crossed with discipline
d <- escalc(measure = "OR", ai = waward, n1i = wtotal, ci = maward, n2i = mtotal, data = dat.bornmann2007)
d <- data.frame(study = d$study, obs = d$obs, type = d$type, discipline = d$discipline, yi = as.numeric(d$yi), vi = as.numeric(d$vi))
src <- "metadat dat.bornmann2007 (Bornmann et al. 2007), log odds ratios by escalc(OR), columns study, obs, type, discipline"
mv_case("bornmann2007/three-level", src, d, d$vi, list(random = ~ 1 | study/obs),
        list(random = "~ 1 | study/obs", method = "REML", test = "z"), cluster = "study")
mv_case("bornmann2007/type", src, d, d$vi, list(mods = ~ factor(type), random = ~ 1 | study/obs),
        list(random = "~ 1 | study/obs", mods = "~ factor(type)", method = "REML", test = "z"), cluster = "study", btt = 2)
mv_case("bornmann2007/crossed-discipline", src, d, d$vi, list(random = list(~ 1 | study/obs, ~ 1 | discipline)),
        list(random = "~ 1 | study/obs, ~ 1 | discipline", method = "REML", test = "z"))

## dat.ishak2007: longitudinal, AR(1) and HAR structures, V with autocorrelated sampling errors (vcalc, phi = 0.97)
d <- dat.ishak2007
dl <- reshape(d, direction = "long", idvar = "study", v.names = c("yi", "vi"), varying = list(c(2, 4, 6, 8), c(3, 5, 7, 9)))
dl <- dl[order(dl$study, dl$time), ]; dl <- dl[!is.na(dl$yi), ]; rownames(dl) <- NULL
V <- vcalc(vi, cluster = study, time1 = time, phi = 0.97, data = dl)
dl <- data.frame(study = dl$study, time = dl$time, yi = dl$yi, vi = dl$vi)
src <- "metadat dat.ishak2007 (Ishak et al. 2007) in long format; V = vcalc(vi, cluster = study, time1 = time, phi = 0.97)"
for (s in c("AR", "HAR")) {
  mv_case(sprintf("ishak2007/time-%s", s), src, dl, V, list(mods = ~ factor(time) - 1, random = ~ time | study, struct = s),
          list(random = "~ time | study", struct = s, mods = "~ 0 + factor(time)", method = "REML", test = "z"),
          cluster = "study", btt = 1:4, newmods = list(list(x = c(0, 1, 0, 0), tau2.level = "2")))
}

## simulated data
set.seed(1515)
sim3 <- function(sizes, s2 = c(0.05, 0.02), slope = 0.1) {
  cl <- rep(seq_along(sizes), sizes); k <- length(cl)
  vi <- runif(k, 0.005, 0.2); x <- rnorm(k); xb <- rnorm(length(sizes))[cl]
  yi <- 0.2 + slope * x + rnorm(length(sizes), 0, sqrt(s2[1]))[cl] + rnorm(k, 0, sqrt(s2[2] + vi))
  data.frame(cluster = cl, es = ave(cl, cl, FUN = seq_along), x = round(x, 4), xb = round(xb, 4), yi = round(yi, 6), vi = round(vi, 6))
}
d <- sim3(sample(1:15, 30, replace = TRUE))
for (m in c("REML", "ML"))
  mv_case(sprintf("random/unbalanced-%s", m), "simulated: 30 clusters of 1 to 15 estimates", d, d$vi,
          list(mods = ~ x + xb, random = ~ 1 | cluster/es, method = m),
          list(random = "~ 1 | cluster/es", mods = "~ x + xb", method = m, test = "z"), cluster = "cluster", btt = 2:3)
d <- sim3(c(rep(1, 12), sample(2:6, 13, replace = TRUE)))
mv_case("random/singletons", "simulated: 25 clusters, 12 of them with one estimate", d, d$vi,
        list(random = ~ 1 | cluster/es), list(random = "~ 1 | cluster/es", method = "REML", test = "z"), cluster = "cluster")
d <- sim3(sample(2:6, 20, replace = TRUE), s2 = c(0, 0.03))
# make the between-cluster variance estimate 0: centre each cluster's mean on the grand mean
d$yi <- round(d$yi - ave(d$yi, d$cluster) + mean(d$yi), 6)
mv_case("random/sigma2-boundary", "simulated: 20 clusters, cluster means equalised so that sigma^2.1 = 0", d, d$vi,
        list(random = ~ 1 | cluster/es), list(random = "~ 1 | cluster/es", method = "REML", test = "z"), cluster = "cluster")
d <- sim3(rep(10, 100))
mv_case("random/k1000", "simulated: 100 clusters of 10 estimates (k = 1000)", d, d$vi,
        list(mods = ~ x, random = ~ 1 | cluster/es, sparse = TRUE), list(random = "~ 1 | cluster/es", mods = "~ x", method = "REML", test = "z"),
        cluster = "cluster", btt = 2, ci = FALSE)

## rma.uni fits with cluster-robust inference
d <- dat.assink2016
d <- data.frame(study = d$study, esid = d$esid, year = d$year, deltype = d$deltype, yi = d$yi, vi = d$vi)
for (mods in list(NULL, ~ factor(deltype) + year)) {
  res <- if (is.null(mods)) rma(yi, vi, data = d, control = precise_for(d$vi)) else rma(yi, vi, mods = mods, data = d, control = precise_for(d$vi))
  add_case(list(id = sprintf("rma.uni-robust/assink2016-%s", if (is.null(mods)) "intercept" else "deltype-year"), family = "rma.uni-robust",
                dataset = "metadat dat.assink2016 (Assink et al. 2016), columns study, esid, year, deltype, yi, vi",
                args = list(method = "REML", mods = if (is.null(mods)) NULL else "~ factor(deltype) + year", cluster = "study"),
                input = d, expected = list(fit = list(beta = num(res$beta), tau2 = num(res$tau2)),
                                           robust = robust_fields(res, d$study, if (is.null(mods)) NULL else 2:4))))
}

writeLines(toJSON(exact(cases), auto_unbox = TRUE, json_verbatim = TRUE, na = "null", null = "null", pretty = FALSE, digits = NA), out)
cat(sprintf("wrote %d cases to %s\n", length(cases), out))
