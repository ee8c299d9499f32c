# Golden case for a subgroup column with missing values (issue 21): metadat's dat.mcdaniel1994 (160 studies,
# `type` NA in rows 113, 123 and 125), measure ZCOR, REML, from metafor 3.8 (our own R code; metafor only as the
# oracle). metafor leaves rows with a missing moderator out of a model with a warning; so does evsynth, and lists
# them. Expected: per level rma(yi, vi, subset = type == level); the overall fit without the three rows (the default
# rule) and with them (--keep-ungrouped); metafor's QM of mods = ~ factor(type) on the rows with a type; and the
# test for subgroup differences on the subgroup estimates, rma(est, sei = se, method = "FE")$QE. REML to double precision.
#   Rscript scripts/golden/gen-subgroups-missing.R tests/fixtures/golden-subgroups-missing.json
source("scripts/golden/helpers.R")
suppressPackageStartupMessages(library(metadat))
out <- commandArgs(trailingOnly = TRUE)[1]
d <- escalc(measure = "ZCOR", ri = ri, ni = ni, data = dat.mcdaniel1994)
fields <- function(res) list(k = res$k, beta = num(res$beta), se = num(res$se), ci.lb = num(res$ci.lb),
                             ci.ub = num(res$ci.ub), tau2 = num(res$tau2), QE = num(res$QE), I2 = num(res$I2))
has <- !is.na(d$type)
ctl <- precise_for(d$vi)  # converged to double precision, as evsynth converges
levs <- sort(unique(d$type[has]))
sub <- lapply(levs, function(l) fields(rma(yi, vi, data = d, subset = has & d$type == l, control = ctl)))
est <- sapply(sub, function(s) s$beta); se <- sapply(sub, function(s) s$se)
between <- rma(est, sei = se, method = "FE")
mods <- suppressWarnings(rma(yi, vi, mods = ~ factor(type), data = d, control = ctl))
res <- list(list(
  id = "mcdaniel1994-type-ZCOR-REML",
  source = "metadat dat.mcdaniel1994; escalc(measure = 'ZCOR', ri = ri, ni = ni)",
  input = list(ri = num(d$ri), ni = num(d$ni), type = ifelse(has, d$type, "NA"), study = num(d$study)),
  missing_rows = which(!has),
  expected = list(
    levels = levs,
    subgroups = sub,
    overall_exclude = fields(rma(yi, vi, data = d, subset = has, control = ctl)),
    overall_keep = fields(rma(yi, vi, data = d, control = ctl)),
    test = list(Q = num(between$QE), df = length(levs) - 1, p = num(between$QEp)),
    moderators = list(k = mods$k, QM = num(mods$QM), QMp = num(mods$QMp), tau2 = num(mods$tau2))
  ),
  versions = modifyList(versions, list(generator = "scripts/golden/gen-subgroups-missing.R", metadat = as.character(packageVersion("metadat"))))
))
writeLines(toJSON(exact(res), auto_unbox = TRUE, json_verbatim = TRUE, na = "null", null = "null", pretty = FALSE), out)
cat(length(res), "case written to", out, "\n")
