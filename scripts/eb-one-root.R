# Does the empirical Bayes (EB) estimating equation have more than one root, as the ML and REML likelihoods can
# (tests/bimodal.test.ts)? evsynth solves EB as the root of Q_gen(tau^2) = k - p (src/models/tau2/likelihood.ts),
# and Q_gen is strictly decreasing in tau^2 (its derivative is -y'PPy), so the root is unique; this checks metafor
# agrees: rma(method = "EB") from five starting values (tau2.init 0.001 ... 10) and rma(method = "PM") give one
# tau^2 on the 14 bimodal ML/REML cases of tests/fixtures/golden-bimodal.json and on 300 random cases of that
# class (most yi = 0, small vi; seed 7). Prints the largest difference.
# Usage: Rscript scripts/eb-one-root.R
suppressMessages({ library(metafor); library(jsonlite) })
cases <- fromJSON("tests/fixtures/golden-bimodal.json", simplifyVector = FALSE)
inputs <- lapply(cases, function(c) list(yi = unlist(c$input$yi), vi = unlist(c$input$vi)))
set.seed(7)
for (r in 1:300) {
  k <- sample(3:15, 1)
  vi <- runif(k, 0.005, 0.5)
  yi <- ifelse(runif(k) < 0.7, 0, rnorm(k, 0, 1))
  inputs[[length(inputs) + 1]] <- list(yi = yi, vi = vi)
}
tight <- list(threshold = 1e-12, maxiter = 10000)
fit <- function(inp, m, control) tryCatch(rma(inp$yi, inp$vi, method = m, control = control)$tau2, error = function(e) NA)
worst <- 0
for (inp in inputs) {
  eb <- fit(inp, "EB", tight)
  others <- c(sapply(c(0.001, 0.01, 0.1, 1, 10), function(s) fit(inp, "EB", c(tight, list(tau2.init = s)))),
              fit(inp, "PM", list(tol = 1e-14, maxiter = 10000)))
  worst <- max(worst, abs(others - eb), na.rm = TRUE)
}
cat(sprintf("%d inputs: largest difference between EB from five starts, EB by default and PM: %.3g\n", length(inputs), worst))
