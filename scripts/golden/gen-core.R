# Generates tests/fixtures/golden-core.json: evsynth's own metafor golden cases for the core engine
# (issue 2): random data with k from 2 to 200, extreme variances, tau2 = 0 boundaries, ties, k = 1/2,
# zero cells under every `to` rule, and Mantel-Haenszel / Peto with double-zero tables.
# Usage: Rscript scripts/golden/gen-core.R tests/fixtures/golden-core.json
# Needs: r-base-core r-cran-metafor r-cran-metadat r-cran-jsonlite (Debian).
suppressPackageStartupMessages({ library(metafor); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "tests/fixtures/golden-core.json"

source(file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))), "helpers.R"))
versions$generator <- "scripts/golden/gen-core.R"
cases <- list()
add_case <- function(case) { case$versions <- versions; cases[[length(cases) + 1]] <<- case }

rma_case <- function(id, desc, yi, vi, method, test) {
  warns <- character(0)
  res <- withCallingHandlers(
    rma(yi, vi, method = method, test = test, control = precise_for(vi)),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  exp <- list(fit = fit_fields(res), predict = pred_fields(predict(res)))
  if (!(method %in% c("EE", "FE"))) {
    if (res$k - res$p >= 2) exp$predict_pi_riley <- pred_fields(predict(res, pi.type = "riley"))
    if (res$k - res$p >= 1) {
      ci <- tryCatch(suppressWarnings(confint(res, control = list(tol = 1e-12 * min(1, mean(vi))))), error = function(e) NULL)
      if (!is.null(ci)) exp$confint <- ci_fields(ci)
    }
  }
  add_case(list(id = id, family = "rma.uni", description = desc,
                call = sprintf('rma(yi, vi, method="%s", test="%s", control=list(threshold=1e-12*min(1, mean(vi)), tol=1e-12*min(1, mean(vi)), maxiter=1000))', method, test),
                args = list(method = method, test = test, level = 95),
                input = list(yi = yi, vi = vi), expected = exp, warnings = warns))
}

methods <- c("EE", "DL", "HE", "HS", "HSk", "SJ", "SJIT", "ML", "REML", "EB", "PM", "PMM")
set.seed(20261126)
datasets <- list()
for (k in c(2, 3, 5, 10, 20, 50, 200)) {
  for (tau2 in c(0, 0.05, 0.5)) {
    vi <- runif(k, 0.005, 0.4)
    yi <- rnorm(k, 0.3, sqrt(vi + tau2))
    datasets[[sprintf("rand-k%d-tau%g", k, tau2)]] <- list(yi = yi, vi = vi, desc = sprintf("random data, k = %d, true tau2 = %g", k, tau2))
  }
}
vi <- 10^seq(-6, 3, length.out = 12); yi <- rnorm(12, 0, sqrt(vi + 0.1))
datasets[["extreme-variances"]] <- list(yi = yi, vi = vi, desc = "variances from 1e-6 to 1e3")
datasets[["homogeneous"]] <- list(yi = c(0.2, 0.21, 0.19, 0.2, 0.205), vi = c(0.1, 0.2, 0.15, 0.3, 0.12), desc = "Q far below df: tau2 = 0 boundary")
datasets[["ties"]] <- list(yi = c(0.5, 0.5, 0.5, 0.5), vi = c(0.04, 0.04, 0.09, 0.01), desc = "identical estimates (ties)")
datasets[["equal-vi"]] <- list(yi = c(-0.3, 0.1, 0.4, 0.9, 0.2, -0.1), vi = rep(0.05, 6), desc = "equal variances")
datasets[["k2"]] <- list(yi = c(-0.5, 0.4), vi = c(0.03, 0.05), desc = "k = 2, heterogeneous")
datasets[["tiny-scale"]] <- list(yi = c(1e-4, 3e-4, -2e-4, 5e-4, 0), vi = c(1e-8, 2e-8, 1.5e-8, 3e-8, 1e-8), desc = "tiny effects and variances")
for (nm in names(datasets)) {
  d <- datasets[[nm]]
  for (m in methods) for (t in c("z", "knha")) {
    if (t == "knha" && !(m %in% c("DL", "REML", "PM", "EE"))) next
    rma_case(sprintf("core/%s-%s-%s", nm, m, t), d$desc, d$yi, d$vi, m, t)
  }
}
# k = 1
for (m in c("EE", "DL", "REML")) rma_case(sprintf("core/k1-%s-z", m), "a single study", 0.3, 0.02, m, "z")

# escalc zero-cell rules
tab <- data.frame(ai = c(0, 3, 10, 0, 5), bi = c(20, 17, 10, 25, 0), ci = c(2, 0, 12, 0, 4), di = c(18, 20, 8, 25, 1))
for (meas in c("OR", "RR", "RD", "PETO")) for (to in c("only0", "all", "if0all", "none")) for (d00 in c(FALSE, TRUE)) {
  es <- suppressWarnings(escalc(meas, ai = ai, bi = bi, ci = ci, di = di, data = tab, to = to, drop00 = d00))
  add_case(list(id = sprintf("escalc/zero-%s-%s-drop00%s", meas, to, d00), family = "escalc",
                args = list(measure = meas, add = 0.5, to = to, drop00 = d00, vtype = "LS"),
                input = as.list(tab), expected = list(measure = meas, k = nrow(tab), yi = num(es$yi), vi = num(es$vi))))
}
props <- data.frame(xi = c(0, 5, 20, 12), ni = c(20, 25, 20, 30))
for (meas in c("PR", "PLO", "PFT")) for (to in c("only0", "all", "none")) {
  es <- suppressWarnings(escalc(meas, xi = xi, ni = ni, data = props, to = to))
  add_case(list(id = sprintf("escalc/prop-%s-%s", meas, to), family = "escalc",
                args = list(measure = meas, add = if (meas == "PFT") 0 else 0.5, to = to, drop00 = FALSE, vtype = "LS"),
                input = as.list(props), expected = list(measure = meas, k = nrow(props), yi = num(es$yi), vi = num(es$vi))))
}
rates <- data.frame(x1i = c(0, 4, 10), t1i = c(100, 120, 300), x2i = c(3, 0, 15), t2i = c(110, 100, 280))
es <- escalc("IRR", x1i = x1i, t1i = t1i, x2i = x2i, t2i = t2i, data = rates)
add_case(list(id = "escalc/irr-zero", family = "escalc", args = list(measure = "IRR", add = 0.5, to = "only0", drop00 = FALSE, vtype = "LS"),
              input = as.list(rates), expected = list(measure = "IRR", k = 3, yi = num(es$yi), vi = num(es$vi))))
smd <- data.frame(n1i = c(2, 5, 40, 12), m1i = c(1.2, 3.4, 10, -2), sd1i = c(0.5, 1, 4, 3), n2i = c(3, 5, 38, 15), m2i = c(0.9, 2, 12, -1), sd2i = c(0.4, 1.5, 5, 2.5))
for (vt in c("LS", "UB")) {
  es <- escalc("SMD", n1i = n1i, m1i = m1i, sd1i = sd1i, n2i = n2i, m2i = m2i, sd2i = sd2i, data = smd, vtype = vt)
  add_case(list(id = sprintf("escalc/smd-small-%s", vt), family = "escalc", args = list(measure = "SMD", add = 0.5, to = "only0", drop00 = FALSE, vtype = vt),
                input = as.list(smd), expected = list(measure = "SMD", k = 4, yi = num(es$yi), vi = num(es$vi))))
}

# Mantel-Haenszel and Peto with zero and double-zero tables
mh_tab <- data.frame(ai = c(0, 3, 10, 0, 7, 2), bi = c(20, 17, 10, 25, 13, 30), ci = c(2, 0, 12, 0, 9, 5), di = c(18, 20, 8, 25, 11, 27))
mh_fields <- function(res) list(measure = res$measure, k = res$k, k.yi = res$k.yi, beta = num(res$beta), se = num(res$se), zval = num(res$zval),
  pval = num(res$pval), ci.lb = num(res$ci.lb), ci.ub = num(res$ci.ub), QE = num(res$QE), QEdf = res$k.yi - 1, QEp = num(res$QEp),
  I2 = num(res$I2), H2 = num(res$H2), tau2 = 0,
  CO = na(num(res$CO)), COp = na(num(res$COp)), MH = na(num(res$MH)), MHp = na(num(res$MHp)),
  BD = na(num(res$BD)), BDp = na(num(res$BDp)), TA = na(num(res$TA)), TAp = na(num(res$TAp)), yi = num(res$yi), vi = num(res$vi))
for (meas in c("OR", "RR", "RD")) {
  res <- suppressWarnings(rma.mh(ai = ai, bi = bi, ci = ci, di = di, data = mh_tab, measure = meas))
  add_case(list(id = sprintf("rma.mh/zeros-%s", meas), family = "mh_peto", args = list(fun = "rma.mh", measure = meas, add = 0.5, to = "only0", drop00 = TRUE, correct = TRUE, level = 95),
                input = as.list(mh_tab), expected = mh_fields(res)))
}
res <- suppressWarnings(rma.peto(ai = ai, bi = bi, ci = ci, di = di, data = mh_tab))
add_case(list(id = "rma.peto/zeros", family = "mh_peto", args = list(fun = "rma.peto", measure = "PETO", add = 0.5, to = "only0", drop00 = TRUE, level = 95),
              input = as.list(mh_tab), expected = mh_fields(res)))
rates <- data.frame(x1i = c(2, 4, 10, 7), t1i = c(100, 120, 300, 150), x2i = c(3, 1, 15, 9), t2i = c(110, 100, 280, 160))
res <- rma.mh(x1i = x1i, t1i = t1i, x2i = x2i, t2i = t2i, data = rates, measure = "IRR")
add_case(list(id = "rma.mh/irr", family = "mh_peto", args = list(fun = "rma.mh", measure = "IRR", add = 0.5, to = "only0", drop00 = TRUE, correct = TRUE, level = 95),
              input = as.list(rates), expected = mh_fields(res)))

writeLines(toJSON(exact(cases), auto_unbox = TRUE, json_verbatim = TRUE, na = "null", null = "null", pretty = FALSE), out)
cat(sprintf("wrote %d cases to %s\n", length(cases), out))
