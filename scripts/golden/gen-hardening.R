# Generates tests/fixtures/golden-hardening.json (issue 14): fits at extreme scales, influence diagnostics,
# Baujat coordinates and regression tests of meta-regression models, and the iterated Sidik-Jonkman estimator where its
# fixed-point iteration is slow, all converged to the limit of double precision.
# Usage: Rscript scripts/golden/gen-hardening.R tests/fixtures/golden-hardening.json
source(file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))), "helpers.R"))
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "tests/fixtures/golden-hardening.json"
versions$generator <- "scripts/golden/gen-hardening.R"
cases <- list()
add_case <- function(case) { case$versions <- versions; cases[[length(cases) + 1]] <<- case }
tight <- list(threshold = 1e-12, maxiter = 100000)

# Extreme scales: metafor's answer where it gives one (it hangs on vi of 1e300 with default REML, so
# those cases are checked in the tests against closed forms instead)
scale_cases <- list(
  list(id = "tiny-vi", yi = c(0.1, 0.2, 0.3), vi = c(1, 2, 1) * 1e-300),
  list(id = "tiny-vi-3", yi = c(0.1, 0.2, 0.3), vi = c(1, 2, 3) * 1e-300),
  list(id = "mixed-vi", yi = c(0.1, 0.2, 0.3), vi = c(1e-300, 1e300, 1e300))
)
for (sc in scale_cases) for (m in c("REML", "DL", "EE")) {
  res <- tryCatch(rma(sc$yi, sc$vi, method = m), error = function(e) NULL)
  if (is.null(res)) next
  add_case(list(id = sprintf("scale/%s-%s", sc$id, m), family = "scale", args = list(method = m), input = list(yi = sc$yi, vi = sc$vi),
    expected = list(beta = num(res$beta), se = num(res$se), tau2 = num(res$tau2), I2 = num(res$I2), H2 = num(res$H2))))
}
# a real dataset (BCG, log RR) at 2^±400: metafor's threshold is absolute, so it cannot converge at such
# scales; the expected fit is metafor's at scale 1, scaled (the model is scale-equivariant), in the test
dat <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
for (e in c(-400, 400)) for (m in c("REML", "PM", "SJIT", "ML", "EB")) {
  res <- rma(dat$yi, dat$vi, method = m, control = list(threshold = 1e-13, maxiter = 1e6, tol = 1e-13))
  add_case(list(id = sprintf("scale/bcg-2^%d-%s", e, m), family = "scale", args = list(method = m, exponent = e),
    input = list(yi = dat$yi, vi = dat$vi),
    expected = list(beta = num(res$beta), se = num(res$se), tau2 = num(res$tau2), I2 = num(res$I2), H2 = num(res$H2))))
}

# Influence diagnostics and regression tests of meta-regression models (BCG: absolute latitude, year)
mods_cases <- list(
  list(id = "bcg-ablat", X = cbind(ablat = dat$ablat)),
  list(id = "bcg-ablat-year", X = cbind(ablat = dat$ablat, year = dat$year))
)
for (mc in mods_cases) for (m in c("REML", "DL")) {
  res <- rma(dat$yi, dat$vi, mods = mc$X, method = m, control = tight)
  inf <- influence(res)
  add_case(list(id = sprintf("influence-mods/%s-%s", mc$id, m), family = "influence-mods", args = list(method = m),
    input = list(yi = dat$yi, vi = dat$vi, mods = lapply(as.data.frame(mc$X), as.numeric)),
    expected = list(rstudent = inf$inf$rstudent, dffits = inf$inf$dffits, cook.d = inf$inf$cook.d, cov.r = inf$inf$cov.r,
      tau2.del = inf$inf$tau2.del, QE.del = inf$inf$QE.del, hat = inf$inf$hat, weight = inf$inf$weight,
      dfbs = lapply(as.list(inf$dfbs), as.numeric), is.infl = inf$is.infl)))
  pdf(NULL); bj <- baujat(res); invisible(dev.off()) # baujat() draws as it computes
  add_case(list(id = sprintf("baujat-mods/%s-%s", mc$id, m), family = "baujat-mods", args = list(method = m),
    input = list(yi = dat$yi, vi = dat$vi, mods = lapply(as.data.frame(mc$X), as.numeric)),
    expected = list(x = bj$x, y = bj$y)))
  for (model in c("rma", "lm")) for (pred in c("sei", "vi")) {
    rg <- regtest(res, model = model, predictor = pred)
    add_case(list(id = sprintf("regtest-mods/%s-%s-%s-%s", mc$id, m, model, pred), family = "regtest-mods",
      args = list(method = m, model = model, predictor = pred),
      input = list(yi = dat$yi, vi = dat$vi, mods = lapply(as.data.frame(mc$X), as.numeric)),
      expected = list(zval = rg$zval, pval = rg$pval, dfs = if (is.null(rg$dfs)) NA else num(rg$dfs))))
  }
}

# SJIT where the fixed-point iteration is slow: Q(0) just above k - 1 (the rate of the update is close to 1)
set.seed(1414)
n <- 0
while (n < 24) {
  k <- sample(4:40, 1); vi <- runif(k, 0.005, 0.5); yi <- rnorm(k, 0.1, sqrt(vi))
  Q0 <- rma(yi, vi, method = "EE")$QE
  if (Q0 <= (k - 1) || Q0 > 1.08 * (k - 1)) next
  res <- tryCatch(rma(yi, vi, method = "SJIT", control = list(threshold = 1e-14, maxiter = 1e6)), error = function(e) NULL)
  if (is.null(res)) next
  n <- n + 1
  add_case(list(id = sprintf("sjit/slow-%02d", n), family = "sjit", args = list(method = "SJIT"), input = list(yi = yi, vi = vi),
    expected = list(tau2 = num(res$tau2), beta = num(res$beta), se = num(res$se), Q0 = Q0)))
}
writeLines(toJSON(exact(cases), auto_unbox = TRUE, json_verbatim = TRUE, na = "null", null = "null", pretty = FALSE), out)
cat(sprintf("wrote %d cases to %s\n", length(cases), out))
