# Golden case for a subgroup model of many levels (issue 14: `fit --by g` of 1,000 subgroups in bounded time):
# 500 simulated studies in 100 subgroups of 5 (yi ~ N(0, 0.3²), vi ~ U(0.01, 0.1), set.seed(14)), REML to double
# precision, from metafor 3.8 (our own R code; metafor only as the oracle). Expected: the common-τ² subgroup model
# rma(yi, vi, mods = ~ factor(g)) (QM, τ², QE, R², log-likelihood, coefficients and SEs) and the cell means
# rma(yi, vi, mods = ~ 0 + factor(g)), which evsynth fits by the one-factor path of src/models/kernel.ts.
#   Rscript scripts/golden/gen-subgroups-many.R tests/fixtures/golden-subgroups-many.json
source("scripts/golden/helpers.R")
out <- commandArgs(trailingOnly = TRUE)[1]
set.seed(14)
G <- 100
d <- data.frame(yi = rnorm(5 * G, 0, 0.3), vi = runif(5 * G, 0.01, 0.1), g = paste0("G", rep(seq_len(G), each = 5)))
ctl <- precise_for(d$vi)
fields <- function(res) list(coef_names = rownames(res$beta), beta = num(res$beta), se = num(res$se),
                             tau2 = num(res$tau2), se_tau2 = num(res$se.tau2), QE = num(res$QE), QM = num(res$QM),
                             QMp = num(res$QMp), ll_REML = num(logLik(res)), R2 = if (is.null(res$R2)) NULL else num(res$R2))
mods <- rma(yi, vi, mods = ~ factor(g), data = d, control = ctl)
means <- rma(yi, vi, mods = ~ 0 + factor(g), data = d, control = ctl)
res <- list(list(
  id = "simulated-100-subgroups-REML",
  source = "simulated: set.seed(14); yi ~ N(0, 0.3^2), vi ~ U(0.01, 0.1), 5 studies in each of 100 subgroups",
  input = list(yi = num(d$yi), vi = num(d$vi), g = d$g),
  expected = list(moderator_model = fields(mods), group_means = fields(means)),
  versions = modifyList(versions, list(generator = "scripts/golden/gen-subgroups-many.R"))
))
writeLines(toJSON(exact(res), auto_unbox = TRUE, json_verbatim = TRUE, na = "null", null = "null", pretty = FALSE), out)
cat(length(res), "case written to", out, "\n")
