# Fixture for diagnostics/pet-peese.ts: PET and PEESE as metafor's regtest(model = "lm", predictor = "sei" | "vi")
# limit estimates, on dat.bcg (log RR) and on seeded random data sets. The PET-PEESE rule is applied in the test.
# Usage: Rscript scripts/golden/gen-pet-peese.R tests/fixtures/pet-peese.json
suppressMessages({ library(metafor); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "tests/fixtures/pet-peese.json"
one <- function(name, yi, vi) {
  fit <- rma(yi, vi, method = "REML")
  pet <- regtest(fit, model = "lm", predictor = "sei")
  peese <- regtest(fit, model = "lm", predictor = "vi")
  list(name = name, yi = yi, vi = vi,
       pet = list(estimate = c(pet$est), ciLower = pet$ci.lb, ciUpper = pet$ci.ub, zval = pet$zval, pval = pet$pval,
                  interceptP = summary(pet$fit)$coefficients[1, 4]),
       peese = list(estimate = c(peese$est), ciLower = peese$ci.lb, ciUpper = peese$ci.ub, pval = peese$pval))
}
dat <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
cases <- list(one("bcg", c(dat$yi), c(dat$vi)))
set.seed(20260501)
for (i in 1:6) {
  k <- c(5, 8, 12, 20, 30, 50)[i]
  vi <- runif(k, 0.005, 0.4)
  yi <- 0.2 + rnorm(k, 0, sqrt(vi + 0.05)) + 0.8 * sqrt(vi) * (i %% 2)
  cases[[length(cases) + 1]] <- one(paste0("random-", i), yi, vi)
}
writeLines(toJSON(cases, digits = NA, auto_unbox = TRUE, pretty = TRUE), out)
