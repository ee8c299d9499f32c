# Generates tests/fixtures/golden-sensitivity.json: GOSH, rank-test ties, k = 3, trim-and-fill with no
# missing studies, influence under REML converged to the limit (issue 7).
# Usage: Rscript scripts/golden/gen-sensitivity.R tests/fixtures/golden-sensitivity.json
source(file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))), "helpers.R"))
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "tests/fixtures/golden-sensitivity.json"
versions$generator <- "scripts/golden/gen-sensitivity.R"
cases <- list()
add_case <- function(case) { case$versions <- versions; cases[[length(cases) + 1]] <<- case }

set.seed(777)
k <- 8; vi <- runif(k, 0.02, 0.3); yi <- rnorm(k, 0.2, sqrt(vi + 0.05))
for (m in c("EE", "DL", "REML")) {
  res <- rma(yi, vi, method = m, control = precise_for(vi))
  g <- gosh(res, progbar = FALSE, control = precise_for(vi))
  add_case(list(id = sprintf("gosh/k8-%s", m), family = "gosh", args = list(method = m), input = list(yi = yi, vi = vi),
    expected = list(incl = unname(1 * g$incl), estimate = g$res$estimate, I2 = g$res$I2, tau2 = g$res$tau2, QE = g$res$QE, k = g$res$k)))
}
# rank test with ties (yi ties and vi ties), k = 3, k = 60 (normal approximation without ties)
tie <- data.frame(yi = c(0.1, 0.3, 0.3, 0.5, 0.2, 0.8, 0.3), vi = c(0.04, 0.02, 0.02, 0.06, 0.04, 0.09, 0.03))
for (nm in c("ties", "k3", "k60")) {
  d <- switch(nm, ties = tie, k3 = data.frame(yi = c(0.2, 0.5, -0.1), vi = c(0.05, 0.1, 0.02)),
              k60 = { v <- runif(60, 0.01, 0.4); data.frame(yi = rnorm(60, 0.1 + sqrt(v), sqrt(v)), vi = v) })
  rk <- suppressWarnings(ranktest(rma(yi, vi, data = d)))
  add_case(list(id = sprintf("ranktest/%s", nm), family = "ranktest", args = list(), input = as.list(d), expected = list(tau = unname(rk$tau), pval = rk$pval)))
}
# trim and fill: a symmetric funnel (k0 = 0), k = 3 ... and regtest on k = 3
sym <- data.frame(yi = c(-0.2, 0, 0.2, -0.1, 0.1, 0.05, -0.05, 0.15, -0.15), vi = c(0.05, 0.01, 0.05, 0.03, 0.03, 0.02, 0.02, 0.04, 0.04))
for (est in c("L0", "R0")) for (m in c("EE", "REML")) {
  tf <- trimfill(rma(yi, vi, data = sym, method = m, control = precise_for(sym$vi)), estimator = est)
  add_case(list(id = sprintf("trimfill/symmetric-%s-%s", est, m), family = "trimfill", args = list(estimator = est, method = m), input = as.list(sym),
    expected = list(k0 = tf$k0, side = tf$side, estimate = tf$beta[1], se = tf$se)))
}
d3 <- data.frame(yi = c(0.2, 0.5, -0.1), vi = c(0.05, 0.1, 0.02))
rg <- regtest(rma(yi, vi, data = d3, method = "EE"))
add_case(list(id = "regtest/k3-EE", family = "regtest", args = list(method = "EE", model = "rma", predictor = "sei"), input = as.list(d3),
  expected = list(zval = rg$zval, pval = rg$pval, limit = unname(rg$est), ci.lb = unname(rg$ci.lb), ci.ub = unname(rg$ci.ub))))
# influence with REML converged to the limit
set.seed(31); vi <- runif(10, 0.02, 0.2); yi <- rnorm(10, 0.3, sqrt(vi + 0.08))
res <- rma(yi, vi, method = "REML", control = precise_for(vi))
inf <- influence(res)
add_case(list(id = "influence/k10-REML-precise", family = "influence", args = list(method = "REML"), input = list(yi = yi, vi = vi),
  expected = list(rstudent = inf$inf$rstudent, dffits = inf$inf$dffits, cook.d = inf$inf$cook.d, cov.r = inf$inf$cov.r, tau2.del = inf$inf$tau2.del,
    QE.del = inf$inf$QE.del, hat = inf$inf$hat, dfbs = inf$dfbs$intrcpt, is.infl = inf$is.infl)))
# trim and fill L0 on random asymmetric data: k0 and se.k0
set.seed(99)
for (i in 1:20) {
  k <- sample(6:30, 1); vi <- runif(k, 0.01, 0.5); yi <- rnorm(k, 0.3, sqrt(vi)) + 1.5 * sqrt(vi) * runif(1)
  m <- if (i %% 2 == 0) "EE" else "DL"
  tf <- trimfill(rma(yi, vi, method = m))
  add_case(list(id = sprintf("trimfill/random-%02d-%s", i, m), family = "trimfill-L0", args = list(method = m), input = list(yi = yi, vi = vi),
    expected = list(k0 = tf$k0, side = tf$side, se.k0 = tf$se.k0)))
}
writeLines(toJSON(exact(cases), auto_unbox = TRUE, json_verbatim = TRUE, na = "null", null = "null", pretty = FALSE), out)
cat(sprintf("wrote %d cases to %s\n", length(cases), out))
