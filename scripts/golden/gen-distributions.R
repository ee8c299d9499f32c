# Generates tests/fixtures/golden-distributions.json: chi-square tail probabilities with many degrees of freedom
# (Q tests of a thousand or more estimates), where evsynth uses its own incomplete gamma function (issue 15).
# Usage: Rscript scripts/golden/gen-distributions.R tests/fixtures/golden-distributions.json
source(file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))), "helpers.R"))
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "tests/fixtures/golden-distributions.json"
versions$generator <- "scripts/golden/gen-distributions.R"
g <- expand.grid(ratio = c(0.5, 0.8, 0.95, 1, 1.05, 1.2, 1.6, 2.3, 3), df = c(200, 201, 350, 998, 1000, 2000, 5000, 20000, 1e5))
g$x <- g$ratio * g$df
case <- list(id = "pchisq/large-df", family = "pchisq", args = list(), input = list(x = g$x, df = g$df),
             expected = list(upper = pchisq(g$x, g$df, lower.tail = FALSE), lower = pchisq(g$x, g$df)), versions = versions)
writeLines(toJSON(exact(list(case)), auto_unbox = TRUE, json_verbatim = TRUE, na = "null", null = "null", pretty = FALSE, digits = NA), out)
cat(sprintf("wrote %d values to %s\n", nrow(g), out))
