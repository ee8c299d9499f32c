# Fixture for the claim checks of `evsynth reproduce` on study rows (tests/claims.test.ts):
# the BCG trials (metadat::dat.bcg), RR by DerSimonian-Laird, overall and by allocation method,
# with the test for subgroup differences on the separate fits (Q between the subgroup estimates).
# Usage: Rscript scripts/golden/gen-claims.R tests/fixtures/claims-bcg.json
suppressMessages({ library(metafor); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "tests/fixtures/claims-bcg.json"
dat <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
fit <- rma(yi, vi, data = dat, method = "DL")
rows <- data.frame(study = paste(dat.bcg$author, dat.bcg$year), ai = dat.bcg$tpos, bi = dat.bcg$tneg,
                   ci = dat.bcg$cpos, di = dat.bcg$cneg, alloc = dat.bcg$alloc)
levels <- sort(unique(dat$alloc))
sub <- lapply(levels, function(g) rma(yi, vi, data = dat, subset = alloc == g, method = "DL"))
est <- sapply(sub, function(f) c(f$b)); se <- sapply(sub, function(f) f$se)
between <- rma(est, sei = se, method = "FE")
res <- list(
  rows = rows,
  overall = list(estimate = c(fit$b), ciLower = fit$ci.lb, ciUpper = fit$ci.ub, pValue = fit$pval, z = fit$zval,
                 tau2 = fit$tau2, QE = fit$QE, QEdf = fit$k - 1, QEp = fit$QEp, I2 = fit$I2, k = fit$k,
                 expEstimate = exp(c(fit$b)), expCiLower = exp(fit$ci.lb), expCiUpper = exp(fit$ci.ub)),
  subgroups = lapply(seq_along(levels), function(i) list(level = levels[i], estimate = est[i], ciLower = sub[[i]]$ci.lb,
                                                         ciUpper = sub[[i]]$ci.ub, pValue = sub[[i]]$pval, k = sub[[i]]$k)),
  subgroupTest = list(Q = between$QE, df = length(levels) - 1, pValue = between$QEp)
)
writeLines(toJSON(res, digits = NA, auto_unbox = TRUE, pretty = TRUE), out)
