# Generates tests/fixtures/sj-start.json: the Sidik-Jonkman estimator (method = "SJ") started from a given
# tau^2 (control = list(tau2.init = t0)). Its estimate is t0 * Q_gen(t0)/(k - p) and its standard error
# t0 * sqrt(2 tr(P0 Sigma P0 Sigma))/(k - p), both from the start given; evsynth's SE took Sigma(yi - ybar)^2/k
# instead before (0.1005 for metafor's 0.1474 on the first random case).
# Inputs: dat.bcg (log risk ratios, with and without the moderator ablat) and random data.
# Usage: Rscript scripts/golden/gen-sj-start.R tests/fixtures/sj-start.json
source(file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))), "helpers.R"))
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "tests/fixtures/sj-start.json"
versions$generator <- "scripts/golden/gen-sj-start.R"

bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
set.seed(20261201)
inputs <- list(
  list(id = "random-k5", yi = c(0.1, 0.5, -0.2, 0.4, 0.9), vi = c(0.05, 0.1, 0.08, 0.2, 0.12), mods = NULL),
  list(id = "random-k12", yi = round(rnorm(12, 0.3, 0.4), 4), vi = round(runif(12, 0.01, 0.3), 4), mods = NULL),
  list(id = "bcg", yi = as.numeric(bcg$yi), vi = as.numeric(bcg$vi), mods = NULL),
  list(id = "bcg-ablat", yi = as.numeric(bcg$yi), vi = as.numeric(bcg$vi), mods = as.numeric(bcg$ablat))
)
starts <- c(0, 0.01, 0.5, 3)
cases <- list()
for (inp in inputs) for (t0 in starts) {
  res <- if (is.null(inp$mods)) rma(inp$yi, inp$vi, method = "SJ", control = list(tau2.init = t0)) else
    rma(inp$yi, inp$vi, mods = ~ inp$mods, method = "SJ", control = list(tau2.init = t0))
  cases[[length(cases) + 1]] <- list(id = sprintf("%s-start-%s", inp$id, t0), family = "sj-start",
    args = list(method = "SJ", tau2Init = t0),
    input = if (is.null(inp$mods)) list(yi = inp$yi, vi = inp$vi) else list(yi = inp$yi, vi = inp$vi, mods = inp$mods),
    expected = list(tau2 = num(res$tau2), se.tau2 = num(res$se.tau2), beta = num(res$beta)), versions = versions)
}
writeLines(toJSON(exact(cases), auto_unbox = TRUE, json_verbatim = TRUE, na = "null", null = "null", pretty = FALSE), out)
cat(sprintf("%d cases written to %s\n", length(cases), out))
