# Generates tests/fixtures/golden-mv-datasets.json: the project's own dependent effect sizes fitted with metafor 3.8's
# rma.mv and clubSandwich (issue 15, notebook 06): the antidepressant review's shared placebo arms (CD001703 analyses
# 1.1 and 1.2) as a three-level model, as sampling covariances (V built here from the provenance's sharedArms, by
# Gleser & Olkin's rule for MD: Cov = sqrt(c_i c_j), c = sd^2/n of the shared arm as the rows use it; a split arm
# with the arm's SD is re-assembled, N = the sum of its rows) and with CR1/CR2 cluster-robust inference by trial;
# and the knee-OA review's pain and function (CD004376 analyses 4.3 and 4.4) as a bivariate UN model with an assumed
# within-trial correlation r = 0.5 of the sampling errors (metafor's default SMD).
# Every model is fitted with several tight optimiser controls; the fit with the highest log-likelihood is kept.
# Usage: Rscript scripts/golden/gen-mv-datasets.R tests/fixtures/golden-mv-datasets.json
suppressPackageStartupMessages({ library(metafor); library(clubSandwich); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "tests/fixtures/golden-mv-datasets.json"

CONTROLS <- list(list(optimizer = "bobyqa", rhoend = 1e-12), list(optimizer = "newuoa", rhoend = 1e-12),
                 list(rel.tol = 1e-12, iter.max = 10000, eval.max = 10000))
tight <- function(a) {
  best <- NULL
  for (ctl in CONTROLS) {
    r <- try(suppressWarnings(do.call(rma.mv, c(a, list(control = ctl)))), silent = TRUE)
    if (!inherits(r, "try-error") && (is.null(best) || logLik(r) > logLik(best))) best <- r
  }
  best
}
fit_summary <- function(r) list(
  beta = unname(as.numeric(r$beta)), se = unname(r$se), ci_lb = unname(r$ci.lb), ci_ub = unname(r$ci.ub),
  pval = unname(r$pval), sigma2 = if (r$withS) r$sigma2 else NULL, tau2 = if (r$withG) r$tau2 else NULL,
  rho = if (r$withG) r$rho else NULL, QE = r$QE, QEp = r$QEp, logLik = as.numeric(logLik(r)))
robust_summary <- function(r, cluster) {
  cr1 <- robust(r, cluster = cluster)
  cr2 <- coef_test(r, vcov = "CR2", cluster = cluster)
  list(CR1 = list(se = unname(cr1$se), df = unname(cr1$ddf), pval = unname(cr1$pval)),
       CR2 = list(se = cr2$SE, df = cr2$df_Satt, pval = cr2$p_Satt))
}
cases <- list()
add <- function(id, dataset, request, expected) {
  cases[[length(cases) + 1]] <<- list(id = id, dataset = dataset, request = request, expected = expected)
  cat(id, "\n")
}

for (name in c("lbp-antidepressants-pain-immediate", "lbp-antidepressants-pain-short-term")) {
  d <- read.csv(file.path("datasets", name, "data.csv"), stringsAsFactors = FALSE)
  prov <- fromJSON(file.path("datasets", name, "provenance.json"), simplifyVector = FALSE)
  d$row <- seq_len(nrow(d))
  es <- escalc("MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = d)
  # three-level: rows within trials
  r3 <- tight(list(yi = es$yi, V = es$vi, random = ~ 1 | study/row, data = es))
  add(paste0(name, "/three-level"), name, list(random = list("~ 1 | study/.row")), c(fit_summary(r3), robust_summary(r3, d$study)))
  # sampling covariances of the rows sharing a placebo arm
  a <- d
  groups <- prov$sharedArms$groups
  for (g in groups) {
    rows <- which(d[[prov$sharedArms$column]] == g$id)
    if (g$n == "split" && (is.null(g$sd) || g$sd == "arm")) a$n2i[rows] <- sum(d$n2i[rows])
  }
  ev <- escalc("MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = a)
  V <- diag(ev$vi)
  for (g in groups) {
    rows <- which(d[[prov$sharedArms$column]] == g$id)
    c <- a$sd2i[rows]^2 / a$n2i[rows]
    for (i in rows) for (j in rows) if (i != j) V[i, j] <- sqrt(c[rows == i] * c[rows == j])
  }
  rv <- tight(list(yi = ev$yi, V = V, random = ~ 1 | row, data = ev))
  add(paste0(name, "/shared-V"), name, list(V = "shared"), c(fit_summary(rv), robust_summary(rv, d$study),
      list(V_offdiag = V[upper.tri(V)][V[upper.tri(V)] != 0])))
  rv3 <- tight(list(yi = ev$yi, V = V, random = ~ 1 | study/row, data = ev))
  add(paste0(name, "/shared-V-three-level"), name, list(V = "shared", random = list("~ 1 | study/.row")),
      c(fit_summary(rv3), robust_summary(rv3, d$study)))
}

# knee OA: pain and function of the same trials, bivariate (UN) with r = 0.5 between a trial's sampling errors
p <- read.csv("datasets/knee-oa-exercise-pain/data.csv", stringsAsFactors = FALSE); p$outcome <- "pain"
f <- read.csv("datasets/knee-oa-exercise-function/data.csv", stringsAsFactors = FALSE); f$outcome <- "function"
cols <- c("study", "outcome", "n1i", "m1i", "sd1i", "n2i", "m2i", "sd2i")
k <- rbind(p[, cols], f[, cols])
k <- escalc("SMD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = k)
Vk <- vcalc(vi, cluster = study, obs = outcome, rho = 0.5, data = k)
rk <- tight(list(yi = k$yi, V = Vk, mods = ~ 0 + factor(outcome), random = ~ outcome | study, struct = "UN", data = k))
add("knee-oa/pain-function-UN-r0.5", "knee-oa-exercise-pain+function",
    list(mods = "0 + factor(outcome)", random = list("~ outcome | study"), struct = list("UN"), V = "cor:study:0.5"),
    c(fit_summary(rk), robust_summary(rk, k$study)))

versions <- list(R = R.version.string, metafor = as.character(packageVersion("metafor")),
                 clubSandwich = as.character(packageVersion("clubSandwich")), generator = "scripts/golden/gen-mv-datasets.R")
writeLines(toJSON(list(versions = versions, cases = cases), auto_unbox = TRUE, digits = NA, pretty = TRUE), out)
