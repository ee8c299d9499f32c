# Fixture for the traces of P in meta-regression (src/models/kernel.ts, Kernel.tracesLost): two pairs of studies split
# by a moderator, a precise and an imprecise study in each, at variance ratios 10⁴ and 10⁶ where evsynth fits and
# must agree with metafor 3.8 (the cases evsynth refuses, ratios 10²⁰ and 10²⁰ at variances 1e-40 and 1e-10, need no fixture: the
# test checks the refusal).
# Usage: Rscript scripts/golden/gen-trace-precision.R tests/fixtures/trace-precision.json
suppressMessages({ library(metafor); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "tests/fixtures/trace-precision.json"
yi <- c(0.1, 0.2, 0.3, 0.05); x <- c(1, 1, 0, 0)
cases <- list()
for (v in list(c(1e-8, 1e-4), c(1e-6, 1))) for (m in c("REML", "ML", "DL", "EB", "HE", "PM", "SJ", "HS")) {
  vi <- rep(v, 2)
  fit <- rma(yi, vi, mods = ~x, method = m, control = list(maxiter = 10000, threshold = 1e-12))
  cases[[length(cases) + 1]] <- list(method = m, yi = yi, vi = vi, x = x, tau2 = fit$tau2, seTau2 = fit$se.tau2,
                                     I2 = fit$I2, H2 = fit$H2)
}
writeLines(toJSON(cases, digits = NA, auto_unbox = TRUE, pretty = TRUE), out)
