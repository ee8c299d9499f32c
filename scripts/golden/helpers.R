# Shared helpers of the golden-fixture generators: metafor objects to plain lists, and an exact (%.17g) JSON writer.
suppressPackageStartupMessages({ library(metafor); library(jsonlite) })

na <- function(x) if (is.null(x) || length(x) == 0) NULL else x
num <- function(x) as.numeric(x)
versions <- list(R = R.version.string, metafor = as.character(packageVersion("metafor")),
                 jsonlite = as.character(packageVersion("jsonlite")), generator = "scripts/golden/gen-core.R")

fit_fields <- function(res) {
  f1 <- fitstats(res, REML = FALSE); f2 <- fitstats(res, REML = TRUE)
  list(k = res$k, p = res$p, method = res$method, test = res$test, level = 95,
       coef_names = rownames(res$beta), beta = num(res$beta), se = num(res$se), zval = num(res$zval),
       pval = num(res$pval), ci.lb = num(res$ci.lb), ci.ub = num(res$ci.ub), vb = unname(res$vb),
       tau2 = num(res$tau2), se.tau2 = num(res$se.tau2), tau = num(sqrt(res$tau2)), I2 = num(res$I2), H2 = num(res$H2),
       vt = if (is.null(res$vt)) NULL else num(res$vt),
       QE = num(res$QE), QEdf = res$k - res$p, QEp = num(res$QEp), QM = num(res$QM), QMdf = num(res$QMdf), QMp = num(res$QMp),
       ddf = if (res$test == "z") NA else num(res$ddf), s2w = num(res$s2w), weights = num(weights(res)),
       fitstats = list(ML = list(ll = f1[1, 1], dev = f1[2, 1], AIC = f1[3, 1], BIC = f1[4, 1], AICc = f1[5, 1]),
                       REML = list(ll = f2[1, 1], dev = f2[2, 1], AIC = f2[3, 1], BIC = f2[4, 1], AICc = f2[5, 1])))
}
pred_fields <- function(p) list(pred = num(p$pred), se = num(p$se), ci.lb = num(p$ci.lb), ci.ub = num(p$ci.ub),
                                pi.lb = if (is.null(p$pi.lb)) NA else num(p$pi.lb), pi.ub = if (is.null(p$pi.ub)) NA else num(p$pi.ub))
ci_fields <- function(ci) {
  r <- ci$random
  g <- function(n) list(estimate = num(r[n, 1]), ci.lb = num(r[n, 2]), ci.ub = num(r[n, 3]))
  list(tau2 = g("tau^2"), tau = g("tau"), I2 = g("I^2(%)"), H2 = g("H^2"), ci.null = isTRUE(ci$ci.null),
       lb.sign = ci$lb.sign, ub.sign = ci$ub.sign)
}
# Converged to the limit of double precision; the threshold (absolute, on tau2) scales with the data.
precise_for <- function(vi) list(threshold = 1e-12 * min(1, mean(vi)), tol = 1e-12 * min(1, mean(vi)), maxiter = 1000)


# jsonlite writes at most 15 significant digits; write every double as %.17g (exact round trip).
fmt <- function(x) ifelse(is.finite(x), sprintf("%.17g", x),
                          ifelse(is.na(x) & !is.nan(x), "null", ifelse(is.nan(x), '"NaN"', ifelse(x > 0, '"Infinity"', '"-Infinity"'))))
exact <- function(v) {
  if (is.list(v)) return(lapply(v, exact))
  if (is.matrix(v) && is.numeric(v)) return(structure(paste0("[", paste(apply(v, 1, function(r) paste0("[", paste(fmt(r), collapse = ","), "]")), collapse = ","), "]"), class = "json"))
  if (is.numeric(v) || (is.logical(v) && all(is.na(v)))) {
    v <- as.numeric(v)
    if (length(v) == 1) return(structure(fmt(v), class = "json"))
    return(structure(paste0("[", paste(fmt(v), collapse = ","), "]"), class = "json"))
  }
  v
}
