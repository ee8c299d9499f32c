# Golden cases for Mantel–Haenszel and Peto subgroup analyses (evsynth fit --by with --method MH|PETO), from
# metafor 3.8 (our own R code; metafor only as the oracle): per subgroup rma.mh/rma.peto(..., subset = g == level)
# with metafor's defaults (measure's escalc with add = 1/2, to = "only0", drop00 = TRUE for Q), the overall fit
# of all rows, and the test for subgroup differences on the subgroup estimates, rma(est, sei = se, method = "FE")$QE.
#   Rscript scripts/golden/gen-subgroups-mh.R tests/fixtures/golden-subgroups-mh.json
source("scripts/golden/helpers.R")
out <- commandArgs(trailingOnly = TRUE)[1]
set.seed(20261130)

mh_fields <- function(res) list(
  k = res$k, beta = num(res$beta), se = num(res$se), zval = num(res$zval), pval = num(res$pval),
  ci.lb = num(res$ci.lb), ci.ub = num(res$ci.ub), QE = num(res$QE), QEp = num(res$QEp), I2 = num(res$I2),
  weights = num(weights(res)))

# random 2×2 (or person-time) data with subgroups; `zero`: how many tables get zero cells
make_tables <- function(k, groups, zero = 0, double = 0) {
  n1 <- sample(20:200, k, TRUE); n2 <- sample(20:200, k, TRUE)
  p2 <- runif(k, 0.05, 0.5); p1 <- pmin(0.95, p2 * exp(rnorm(k, 0.3, 0.4)))
  ai <- rbinom(k, n1, p1); ci <- rbinom(k, n2, p2)
  if (zero > 0) { z <- sample(k, zero); ci[z] <- 0 }
  if (double > 0) { z <- sample(k, double); ai[z] <- 0; ci[z] <- 0 }
  data.frame(ai = ai, n1i = n1, ci = ci, n2i = n2, g = sample(rep_len(groups, k)))
}

one_case <- function(id, d, measure, method) {
  levs <- sort(unique(d$g))
  fit <- function(sub) {
    dd <- d[sub, ]
    if (method == "PETO") rma.peto(ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dd)
    else if (measure == "IRR") rma.mh(x1i = ai, t1i = n1i, x2i = ci, t2i = n2i, data = dd, measure = "IRR")
    else rma.mh(ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dd, measure = measure)
  }
  per <- lapply(levs, function(l) {
    r <- tryCatch(suppressWarnings(fit(d$g == l)), error = function(e) NULL)
    if (is.null(r)) list(level = l, estimable = FALSE) else c(list(level = l, estimable = TRUE), mh_fields(r))
  })
  ok <- Filter(function(x) isTRUE(x$estimable) && is.finite(x$beta) && is.finite(x$se), per)
  test <- if (length(ok) >= 2) {
    t <- rma(sapply(ok, `[[`, "beta"), sei = sapply(ok, `[[`, "se"), method = "FE")
    list(Q = num(t$QE), df = length(ok) - 1, p = num(t$QEp))
  } else NULL
  list(id = id, measure = measure, method = method,
       input = list(ai = d$ai, n1i = d$n1i, ci = d$ci, n2i = d$n2i, g = as.character(d$g)),
       expected = list(overall = mh_fields(suppressWarnings(fit(rep(TRUE, nrow(d))))), subgroups = per, test = test))
}

cases <- list()
add <- function(...) cases[[length(cases) + 1]] <<- one_case(...)
for (m in c("OR", "RR", "RD")) {
  add(sprintf("mh-%s-3groups", m), make_tables(15, c("A", "B", "C")), m, "MH")
  add(sprintf("mh-%s-zero-cells", m), make_tables(12, c("A", "B"), zero = 3), m, "MH")
  add(sprintf("mh-%s-double-zero", m), make_tables(12, c("A", "B", "C"), zero = 1, double = 2), m, "MH")
  d <- make_tables(9, c("A", "B")); d$g[1] <- "single"
  add(sprintf("mh-%s-single-study-subgroup", m), d, m, "MH")
}
d <- make_tables(12, c("x", "y")); d$n1i <- d$n1i * 10; d$n2i <- d$n2i * 12
add("mh-IRR-person-time", d, "IRR", "MH")
add("peto-3groups", make_tables(15, c("A", "B", "C")), "OR", "PETO")
add("peto-zero-cells", make_tables(12, c("A", "B"), zero = 3), "OR", "PETO")
d <- make_tables(9, c("A", "B")); d$g[1] <- "single"
add("peto-single-study-subgroup", d, "OR", "PETO")
add("peto-double-zero", make_tables(12, c("A", "B"), double = 2), "OR", "PETO")

cases <- lapply(cases, function(c) c(c, list(versions = modifyList(versions, list(generator = "scripts/golden/gen-subgroups-mh.R")))))
writeLines(toJSON(exact(cases), auto_unbox = TRUE, json_verbatim = TRUE, na = "null", null = "null", pretty = FALSE), out)
cat(length(cases), "cases written to", out, "\n")
