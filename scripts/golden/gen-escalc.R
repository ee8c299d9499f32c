# Generates tests/fixtures/golden-escalc.json: metafor escalc golden cases for every measure evsynth adds
# beyond the core ones (issue 13, item 4), each with random and edge-case inputs (boundary values, zero
# cells, n at the minimum a measure allows, missing values) under every vtype and zero-cell option value.
# For the tetrachoric correlation (RTET) it also writes a reference computed here to double precision
# from the definition (Genz's bivariate normal algorithm in mvtnorm, uniroot), since metafor's own estimate
# comes from a numerical optimiser and is accurate to about 1e-4 only.
# Usage: Rscript scripts/golden/gen-escalc.R tests/fixtures/golden-escalc.json
# Needs: r-base-core r-cran-metafor r-cran-jsonlite r-cran-mvtnorm (Debian).
suppressPackageStartupMessages({ library(metafor); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "tests/fixtures/golden-escalc.json"
source(file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))), "helpers.R"))
versions$generator <- "scripts/golden/gen-escalc.R"
cases <- list()
add_case <- function(case) { case$versions <- versions; cases[[length(cases) + 1]] <<- case }

# One escalc case: `dat` holds the input columns by metafor's argument names; `opts` the options given
# (those not given take the measure's defaults, in metafor as in evsynth).
es_case <- function(id, measure, dat, opts = list(), desc = "") {
  warns <- character(0)
  es <- tryCatch(withCallingHandlers(do.call(escalc, c(list(measure = measure), as.list(dat), opts)),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") }),
    error = function(e) conditionMessage(e))
  if (is.character(es)) {  # metafor refuses the input: evsynth must throw too
    add_case(list(id = sprintf("escalc/%s", id), family = "escalc-error", description = desc,
                  args = c(list(measure = measure), opts), input = as.list(dat), expected = list(error = es)))
    return(invisible())
  }
  add_case(list(id = sprintf("escalc/%s", id), family = "escalc", description = desc,
                args = c(list(measure = measure), opts), input = as.list(dat),
                expected = list(measure = measure, k = nrow(dat), yi = num(es$yi), vi = num(es$vi)),
                warnings = warns))
}

set.seed(20261130)
k <- 12
# ---- two independent groups: means and SDs --------------------------------------------------------
rand_means <- data.frame(n1i = sample(2:60, k, TRUE), m1i = runif(k, 0.5, 20), sd1i = runif(k, 0.2, 8),
                         n2i = sample(3:60, k, TRUE), m2i = runif(k, 0.5, 20), sd2i = runif(k, 0.2, 8))
edge_means <- data.frame(
  n1i  = c(1,   1,   2,   3,   10,  10, 10,  25,  8,  40,   5,  12, 12),
  m1i  = c(5,   5,   4,   2,   3,   3,  -2,  7,   0,  100,  NA, 6,  6),
  sd1i = c(1,   1,   0.5, 1,   0,   2,  1,   3,   1,  30,   2,  0,  NA),
  n2i  = c(3,   2,   2,   3,   10,  10, 12,  25,  8,  45,   5,  12, 12),
  m2i  = c(4,   4,   3,   2,   2,   3,  3,   7,   2,  80,   3,  6,  5),
  sd2i = c(2,   2,   0.7, 1.5, 1,   0,  1.5, 3,   1,  25,   1,  0,  2))
mean_measures <- list(SMD = c("LS", "UB", "LS2", "AV"), SMD1 = c("LS", "UB", "LS2", "AV"), SMDH = "LS", SMD1H = "LS",
                      MD = c("LS", "HO"), ROM = c("LS", "HO", "AV", "AVHO"), CVR = "LS", VR = "LS",
                      RPB = c("LS", "ST", "CS"), RBIS = "LS", D2ORN = "LS", D2ORL = "LS")
for (meas in names(mean_measures)) for (vt in mean_measures[[meas]]) {
  for (nm in c("rand", "edge")) {
    dat <- if (nm == "rand") rand_means else edge_means
    if (meas %in% c("ROM", "CVR") && nm == "edge") dat$m1i[dat$m1i == 0] <- 0.5
    es_case(sprintf("%s-%s-%s", tolower(meas), nm, vt), meas, dat, list(vtype = vt),
            if (nm == "rand") "random two-group means" else "n at the minimum, zero SDs, equal and opposite-sign means, missing values")
  }
}
# SMD with n1i = 1 (computed for n2i = 3, NA for n2i = 2: Hedges' correction needs n1i + n2i - 2 >= 2)
es_case("smd-n1-is-1", "SMD", data.frame(n1i = c(1, 1, 1, 2), m1i = c(5, 5, 2, 1), sd1i = c(1, 0, 1, 1),
                                         n2i = c(3, 2, 10, 1), m2i = c(4, 4, 1, 0), sd2i = c(2, 2, 1.5, 1)),
        list(vtype = "LS"), "n1i = 1 with n2i = 3, 2 and 10; n1i = 2 with n2i = 1")
es_case("smd-n1-is-1-UB", "SMD", data.frame(n1i = c(1, 1, 1), m1i = c(5, 5, 2), sd1i = c(1, 0, 1),
                                            n2i = c(3, 2, 10), m2i = c(4, 4, 1), sd2i = c(2, 2, 1.5)),
        list(vtype = "UB"), "n1i = 1, unbiased variance")

# SMD from Cohen's d (di) or the t statistic (ti) where the means are not given: di first, then ti, then means
dt <- data.frame(n1i = c(10, 20, 15, 12, 12, 1, 30, 8, 25),
                 m1i = c(5, NA, NA, 4, 4, NA, NA, NA, 6), m2i = c(4, NA, NA, 3, 3, NA, NA, NA, 5),
                 sd1i = c(2, NA, NA, 1, 1, NA, NA, NA, 2), sd2i = c(2.5, NA, NA, 1.2, 1.2, NA, NA, NA, 2),
                 n2i = c(12, 18, 15, 10, 10, 3, 28, 9, 25),
                 di = c(NA, 0.5, NA, 0.9, NA, 0.7, -1.2, NA, NA), ti = c(NA, NA, 2.1, 1.5, 1.5, NA, NA, NA, -0.4))
for (vt in c("LS", "UB", "LS2", "AV")) es_case(sprintf("smd-di-ti-%s", vt), "SMD", dt, list(vtype = vt),
                                                 "means, di only, ti only, di with ti and means, ti with means, n1i = 1 with di, none (missing)")
es_case("smd-di-only", "SMD", dt[, c("n1i", "n2i", "di")], list(), "only n1i, n2i, di")
es_case("smd-ti-only", "SMD", dt[, c("n1i", "n2i", "ti")], list(), "only n1i, n2i, ti")

# ---- paired designs -----------------------------------------------------------------------------
rand_paired <- data.frame(m1i = runif(k, 1, 20), m2i = runif(k, 1, 20), sd1i = runif(k, 0.3, 6), sd2i = runif(k, 0.3, 6),
                          ni = sample(3:80, k, TRUE), ri = runif(k, -0.95, 0.95))
edge_paired <- data.frame(
  m1i  = c(5,  5,   4,  3,   10,  2,   8,    6,  NA, 7,   1,   9),
  m2i  = c(4,  4,   4,  1,   12,  -1,  8,    5,  3,  6,   2,   3),
  sd1i = c(1,  1,   2,  1,   3,   1,   2,    1,  1,  0,   1,   2),
  sd2i = c(1,  2,   2,  1.5, 3,   1,   2,    1,  1,  1,   1,   NA),
  ni   = c(2,  3,   10, 20,  15,  8,   30,   4,  9,  12,  50,  10),
  ri   = c(0.5, 0,  1,  -1,  0.99, 0.3, -0.5, 0.9, 0.2, 0.1, 0.999, 0.4))
for (meas in c("MC", "SMCC", "SMCR", "SMCRH", "ROMC", "CVRC", "VRC")) for (nm in c("rand", "edge")) {
  dat <- if (nm == "rand") rand_paired else edge_paired
  if (meas == "SMCR") dat$sd2i <- NULL
  if (meas == "VRC") { dat$m1i <- NULL; dat$m2i <- NULL }
  es_case(sprintf("%s-%s", tolower(meas), nm), meas, dat, list(), if (nm == "rand") "random paired data" else "n = 2 and 3, r = -1, 0, 1, zero SDs, negative means, missing values")
}

# ---- single groups: means and SDs --------------------------------------------------------------
single <- data.frame(mi = c(runif(8, 0.5, 30), 0, 3, 5, NA, 4), sdi = c(runif(8, 0.1, 10), 1, 2, 0, 1, 2),
                     ni = c(sample(2:100, 8, TRUE), 10, 12, 8, 5, 1))
for (meas in c("MN", "MNLN", "CVLN", "SDLN")) {
  dat <- if (meas == "SDLN") single[, c("sdi", "ni")] else single
  es_case(sprintf("%s", tolower(meas)), meas, dat, list(), "random and edge single-group data (mean 0, SD 0, n = 1, missing)")
}
for (meas in c("MN", "MNLN", "CVLN")) es_case(sprintf("%s-negative-mean", tolower(meas)), meas, data.frame(mi = c(2, -3), sdi = c(1, 1), ni = c(10, 10)),
                                            list(), "a negative mean")

# ---- 2x2 tables ----------------------------------------------------------------------------------
tab <- data.frame(ai = c(sample(1:40, 8, TRUE), 0, 3, 0, 12, 5, 7, 2, NA, 6),
                  bi = c(sample(1:40, 8, TRUE), 20, 0, 15, 0, 9, 0, 30, 4, 8),
                  ci = c(sample(1:40, 8, TRUE), 4, 5, 0, 10, 0, 6, 2, 3, 6),
                  di = c(sample(1:40, 8, TRUE), 18, 6, 17, 0, 11, 9, 30, 9, 8))
table_measures <- list(AS = "LS", PHI = c("LS", "ST", "CS"), YUQ = "LS", YUY = "LS", RTET = "LS",
                       PBIT = "LS", OR2DN = "LS", OR2DL = "LS")
for (meas in names(table_measures)) for (vt in table_measures[[meas]]) for (to in c("only0", "all", "if0all", "none")) for (d00 in c(FALSE, TRUE)) {
  if (meas == "RTET") next  # below, with its own tolerance
  es_case(sprintf("%s-%s-%s-drop00%s", tolower(meas), vt, to, d00), meas, tab, list(vtype = vt, to = to, drop00 = d00),
          "random tables and tables with zero cells (single, double-zero, both margins), a missing cell")
}
for (meas in c("AS", "PHI")) es_case(sprintf("%s-add-forced", tolower(meas)), meas, tab, list(add = 0.5, to = "only0"),
                                     "add = 1/2 forced on a measure whose default add is 0")
# the n1i/n2i form of the input
tab_n <- data.frame(ai = tab$ai, n1i = tab$ai + tab$bi, ci = tab$ci, n2i = tab$ci + tab$di)
for (meas in c("AS", "PHI", "YUQ", "PBIT")) es_case(sprintf("%s-n-form", tolower(meas)), meas, tab_n, list(), "ai, n1i, ci, n2i input")

# ---- matched pairs (paired 2x2 tables), marginal tables with their correlation, genotype counts ----------
ptab <- data.frame(ai = c(sample(1:40, 8, TRUE), 5, 0, 7, 3, 10, NA), bi = c(sample(1:30, 8, TRUE), 0, 6, 4, 0, 3, 2),
                   ci = c(sample(1:30, 8, TRUE), 4, 3, 0, 0, 3, 5), di = c(sample(1:40, 8, TRUE), 12, 9, 10, 20, 0, 8))
for (meas in c("MPRR", "MPOR", "MPRD", "MPORC", "MPPETO")) for (to in c("only0", "all", "if0all", "none")) for (d00 in c(FALSE, TRUE))
  es_case(sprintf("%s-%s-drop00%s", tolower(meas), to, d00), meas, ptab, list(to = to, drop00 = d00),
          "random paired tables; zero discordant cells (one and both), zero concordant cells, a missing cell")
mtab <- data.frame(ai = c(sample(5:40, 8, TRUE), 0, 12, 7), bi = c(sample(5:40, 8, TRUE), 20, 8, 13),
                   ci = c(sample(5:40, 8, TRUE), 4, 0, 9), di = c(sample(5:40, 8, TRUE), 16, 20, 11),
                   ri = c(runif(8, -0.2, 0.7), 0.3, 0.4, NA))
mtab$di[1:8] <- mtab$ai[1:8] + mtab$bi[1:8] - mtab$ci[1:8] + 40  # equal-ish margins, odd and even totals
for (to in c("only0", "all", "none")) es_case(sprintf("mporm-%s", to), "MPORM", mtab, list(to = to), "marginal tables with phi; zero cells; missing ri")
geno <- data.frame(ai = c(sample(10:300, 8, TRUE), 0, 25, 40, NA), bi = c(sample(10:300, 8, TRUE), 30, 0, 50, 20), ci = c(sample(1:100, 8, TRUE), 10, 5, 0, 8))
for (to in c("only0", "none")) es_case(sprintf("reh-%s", to), "REH", geno, list(to = to), "random genotype counts, a zero count in each class, missing")

# ---- person-time ---------------------------------------------------------------------------------
pt <- data.frame(x1i = c(sample(0:40, 8, TRUE), 0, 0, 5, NA), t1i = c(runif(8, 50, 2000), 100, 120, 300, 90),
                 x2i = c(sample(1:40, 8, TRUE), 4, 0, 0, 3), t2i = c(runif(8, 50, 2000), 110, 100, 280, 80))
for (meas in c("IRR", "IRD", "IRSD")) for (to in c("only0", "all", "if0all", "none")) for (d00 in c(FALSE, TRUE))
  es_case(sprintf("%s-%s-drop00%s", tolower(meas), to, d00), meas, pt, list(to = to, drop00 = d00), "random and zero counts, a double zero, a missing count")
es_case("irsd-add-forced", "IRSD", pt, list(add = 0.5), "add = 1/2 forced")

# ---- single proportions and rates ----------------------------------------------------------------
props <- data.frame(xi = c(sample(1:30, 8, TRUE), 0, 20, 5, NA), ni = c(sample(31:80, 8, TRUE), 20, 20, 40, 10))
for (meas in c("PLN", "PAS")) for (to in c("only0", "all", "if0all", "none"))
  es_case(sprintf("%s-%s", tolower(meas), to), meas, props, list(to = to), "random proportions, x = 0, x = n, missing")
es_case("pas-add-forced", "PAS", props, list(add = 0.5), "add = 1/2 forced")
es_case("pft-add-forced", "PFT", props, list(add = 0.5), "add = 1/2 forced on PFT (default add = 0)")
es_case("pln-mi-form", "PLN", data.frame(xi = props$xi, mi = props$ni - props$xi), list(), "xi, mi input")
rates1 <- data.frame(xi = c(sample(1:50, 8, TRUE), 0, 3, NA), ti = c(runif(8, 10, 1000), 100, 0.5, 20))
for (meas in c("IR", "IRS", "IRFT")) for (to in c("only0", "all", "if0all", "none"))
  es_case(sprintf("%s-%s", tolower(meas), to), meas, rates1, list(to = to), "random rates, zero events, missing")
for (meas in c("IRS", "IRFT")) es_case(sprintf("%s-add-forced", tolower(meas)), meas, rates1, list(add = 0.5), "add = 1/2 forced")

# ---- correlations ----------------------------------------------------------------------------------
cors <- data.frame(ri = c(runif(8, -0.95, 0.95), 0, 0.001, -0.01, 0.5, 1, -1, 0.3, NA, 0.2, 0.3, -0.7, 0.999, 0.0001),
                   ni = c(sample(5:200, 8, TRUE), 5, 5, 6, 4, 10, 12, 5, 20, 1000, 1e5, 5e4, 2e4, 5))
for (vt in c("LS", "UB", "AV")) es_case(sprintf("ucor-%s", vt), "UCOR", cors, list(vtype = vt), "random, r = 0, tiny r, |r| = 1, n = 4 (NA) and 5, n up to 1e5, missing")
for (vt in c("LS", "AV")) es_case(sprintf("cor-%s", vt), "COR", cors, list(vtype = vt), "random, r = 0, |r| = 1, n = 4 and 5, missing")

# ---- partial and semi-partial correlations -------------------------------------------------------
reg <- data.frame(ti = c(rnorm(8, 0, 4), 0, -2.5, 3, NA), ni = c(sample(20:300, 8, TRUE), 30, 12, 6, 40),
                  mi = c(sample(1:10, 8, TRUE), 3, 4, 4, 2), r2i = c(runif(8, 0.05, 0.9), 0.3, 0, 0.5, 0.1))
for (meas in c("PCOR", "ZPCOR", "SPCOR")) {
  dat <- if (meas == "SPCOR") reg else reg[, c("ti", "ni", "mi")]
  es_case(tolower(meas), meas, dat, list(), "random regressions, t = 0 and negative, df = 1, R2 = 0, missing")
  es_case(sprintf("%s-df0", tolower(meas)), meas, data.frame(ti = c(2, 1.5), ni = c(20, 5), mi = c(3, 4), r2i = c(0.2, 0.2))[, names(dat)],
          list(), "df = n - m - 1 = 0")
}

# ---- reliability -----------------------------------------------------------------------------------
alpha <- data.frame(ai = c(runif(8, 0.3, 0.97), 0, -0.2, 0.999, 0.8, NA), mi = c(sample(2:40, 8, TRUE), 5, 6, 10, 2, 5),
                    ni = c(sample(10:500, 8, TRUE), 30, 40, 100, 3, 50))
for (meas in c("ARAW", "AHW", "ABT")) es_case(tolower(meas), meas, alpha, list(), "random alphas, alpha = 0, negative and near 1, two items, n = 3, missing")

# ---- tetrachoric correlation: metafor's estimate and a double-precision reference ----------------
phi2 <- function(h, k, r) exp(-(h^2 - 2 * r * h * k + k^2) / (2 * (1 - r^2))) / (2 * pi * sqrt(1 - r^2))
# Genz's bivariate normal algorithm (mvtnorm's TVPACK), accurate to about 1e-15
P2 <- function(h, k, rho) mvtnorm::pmvnorm(upper = c(h, k), corr = matrix(c(1, rho, rho, 1), 2), algorithm = mvtnorm::TVPACK(abseps = 1e-15))[1]
rtet_ref <- function(a, b, c, d) {
  if (any(is.na(c(a, b, c, d))) || min(a, b, c, d) <= 0) return(c(NA, NA))
  N <- a + b + c + d; p11 <- a / N; pr <- (a + b) / N; pc <- (a + c) / N
  h <- qnorm(pr); kk <- qnorm(pc)
  rho <- uniroot(function(r) P2(h, kk, r) - p11, c(-1 + 1e-12, 1 - 1e-12), tol = 1e-15)$root
  s <- sqrt(1 - rho^2); f <- phi2(h, kk, rho)
  g <- c(1, -pnorm((kk - rho * h) / s), -pnorm((h - rho * kk) / s)) / f
  V <- matrix(c(p11 * (1 - p11), p11 * (1 - pr), p11 * (1 - pc), p11 * (1 - pr), pr * (1 - pr), p11 - pr * pc,
                p11 * (1 - pc), p11 - pr * pc, pc * (1 - pc)), 3) / N
  c(rho, as.numeric(t(g) %*% V %*% g))
}
rt <- data.frame(ai = c(sample(1:60, 10, TRUE), 50, 1, 30, 0, 5, 2), bi = c(sample(1:60, 10, TRUE), 1, 50, 30, 10, 5, 3),
                 ci = c(sample(1:60, 10, TRUE), 1, 50, 2, 10, 5, 40), di = c(sample(1:60, 10, TRUE), 50, 1, 30, 10, 0, 1))
for (to in c("default", "only0", "all")) {
  opts <- if (to == "default") list() else list(to = to, add = 0.5)
  warns <- character(0)
  es <- withCallingHandlers(do.call(escalc, c(list(measure = "RTET", ai = rt$ai, bi = rt$bi, ci = rt$ci, di = rt$di), opts)),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  corr <- if (to == "all") rep(0.5, nrow(rt)) else if (to == "only0") ifelse(apply(rt, 1, min) == 0, 0.5, 0) else rep(0, nrow(rt))
  ref <- t(mapply(rtet_ref, rt$ai + corr, rt$bi + corr, rt$ci + corr, rt$di + corr))
  add_case(list(id = sprintf("escalc/rtet-%s", to), family = "escalc-rtet",
                description = "tetrachoric r: metafor's optimiser estimate (expected) and a double-precision reference from the definition (reference)",
                args = c(list(measure = "RTET"), opts), input = as.list(rt),
                expected = list(measure = "RTET", k = nrow(rt), yi = num(es$yi), vi = num(es$vi)),
                reference = list(yi = num(ref[, 1]), vi = num(ref[, 2]),
                                 method = "mvtnorm::pmvnorm(algorithm = TVPACK(abseps = 1e-15)), uniroot(tol = 1e-15), delta-method variance"),
                warnings = warns))
}

writeLines(toJSON(exact(cases), auto_unbox = TRUE, json_verbatim = TRUE, na = "null", null = "null", pretty = FALSE), out)
cat(sprintf("wrote %d cases to %s\n", length(cases), out))
