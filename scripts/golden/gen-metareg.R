# Generates tests/fixtures/golden-metareg.json: subgroup and meta-regression cases beyond the oracle
# (issue 4): unbalanced groups, a level with one study, many levels, knha F tests, every estimator with
# moderators, predictions, and exact permutation tests (moderator permutations and sign flips).
# Usage: Rscript scripts/golden/gen-metareg.R tests/fixtures/golden-metareg.json
source(file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))), "helpers.R"))
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "tests/fixtures/golden-metareg.json"
versions$generator <- "scripts/golden/gen-metareg.R"
cases <- list()
add_case <- function(case) { case$versions <- versions; cases[[length(cases) + 1]] <<- case }

set.seed(4242)
mk <- function(sizes, effects, tau2 = 0.05) {
  g <- rep(names(sizes), sizes); k <- length(g)
  vi <- runif(k, 0.01, 0.3)
  yi <- rnorm(k, effects[g], sqrt(vi + tau2))
  data.frame(yi = yi, vi = vi, group = g, x = round(runif(k, 0, 10), 2), stringsAsFactors = FALSE)
}
designs <- list(
  unbalanced = mk(c(A = 2, B = 10, C = 25), c(A = 0.1, B = 0.4, C = 0.2)),
  single = mk(c(solo = 1, big = 8, mid = 5), c(solo = 0.5, big = 0.2, mid = -0.1)),
  many = mk(setNames(rep(3, 8), paste0("L", 1:8)), setNames(seq(-0.4, 0.4, length.out = 8), paste0("L", 1:8))),
  numericlevels = mk(c("10" = 4, "9" = 5, "2" = 6), c("10" = 0.3, "9" = 0.1, "2" = 0)))
# a numeric grouping column, as read.csv would give for numbers: R's factor() then sorts levels numerically
designs$numericlevels$group <- as.numeric(designs$numericlevels$group)

for (nm in names(designs)) {
  dat <- designs[[nm]]
  for (m in c("DL", "REML", "PM")) for (t in c("z", "knha")) {
    ctl <- precise_for(dat$vi)
    res.all <- rma(yi, vi, data = dat, method = m, test = t, control = ctl)
    res.mod <- rma(yi, vi, mods = ~ factor(group), data = dat, method = m, test = t, control = ctl)
    res.cm <- rma(yi, vi, mods = ~ 0 + factor(group), data = dat, method = m, test = t, control = ctl)
    levs <- levels(factor(dat$group))
    res.g <- lapply(levs, function(l) suppressWarnings(rma(yi, vi, data = dat[dat$group == l, ], method = m, test = t, control = ctl)))
    est <- sapply(res.g, function(r) r$beta[1]); se <- sapply(res.g, function(r) r$se)
    Qb <- rma(est, sei = se, method = "FE")
    add_case(list(id = sprintf("subgroup/%s-%s-%s", nm, m, t), family = "subgroup", args = list(method = m, test = t, group = "group"),
      input = list(yi = dat$yi, vi = dat$vi, group = dat$group),
      expected = list(overall = fit_fields(res.all), moderator_model = fit_fields(res.mod), group_means_common_tau2 = fit_fields(res.cm),
        groups = lapply(seq_along(levs), function(i) c(list(level = levs[i]), fit_fields(res.g[[i]]))),
        test_subgroup_differences = list(Q = Qb$QE, df = length(levs) - 1, pval = Qb$QEp))))
  }
}

dat <- designs$unbalanced
for (m in c("EE", "DL", "HE", "HS", "HSk", "SJ", "ML", "REML", "EB", "PM", "PMM")) for (t in c("z", "knha")) {
  res <- suppressWarnings(rma(yi, vi, mods = ~ x + factor(group), data = dat, method = m, test = t, control = precise_for(dat$vi)))
  newmods <- rbind(c(2, 1, 0), c(5, 0, 1), c(8, 0, 0))
  pr <- predict(res, newmods = newmods)
  exp <- list(fit = fit_fields(res), X = unname(res$X), predict = c(list(newmods = newmods), pred_fields(pr)))
  add_case(list(id = sprintf("metareg/unbalanced-x-group-%s-%s", m, t), family = "metareg", args = list(method = m, test = t, mods = "~ x + factor(group)"),
    input = list(yi = dat$yi, vi = dat$vi, x = dat$x, group = dat$group), expected = exp))
}

# exact permutation tests: moderator permutations (k = 7 with ties) and sign flips (k = 8)
small <- data.frame(yi = c(0.1, 0.5, 0.3, 0.9, -0.2, 0.7, 0.4), vi = c(0.02, 0.05, 0.03, 0.04, 0.06, 0.02, 0.05), x = c(1, 2, 2, 3, 1, 3, 2))
for (m in c("REML", "DL")) {
  res <- rma(yi, vi, mods = ~ x, data = small, method = m)
  perm <- permutest(res, exact = TRUE, progbar = FALSE)
  add_case(list(id = sprintf("permutest/x-%s", m), family = "permutest", args = list(method = m, mods = "~ x", exact = TRUE),
    input = as.list(small), expected = list(n_perm = nrow(perm$zval.perm), pval = perm$pval, QMp = perm$QMp, zval = res$zval, QM = res$QM)))
}
flip <- data.frame(yi = c(0.3, 0.1, 0.5, -0.1, 0.4, 0.2, 0.6, 0.05), vi = c(0.04, 0.03, 0.05, 0.02, 0.06, 0.03, 0.05, 0.02))
res <- rma(yi, vi, data = flip, method = "DL")
perm <- permutest(res, exact = TRUE, progbar = FALSE)
add_case(list(id = "permutest/intercept-signflip-DL", family = "permutest", args = list(method = "DL", mods = "~ 1", exact = TRUE),
  input = as.list(flip), expected = list(n_perm = nrow(perm$zval.perm), pval = perm$pval, QMp = perm$QMp, zval = res$zval, QM = res$QM)))

writeLines(toJSON(exact(cases), auto_unbox = TRUE, json_verbatim = TRUE, na = "null", null = "null", pretty = FALSE), out)
cat(sprintf("wrote %d cases to %s\n", length(cases), out))
