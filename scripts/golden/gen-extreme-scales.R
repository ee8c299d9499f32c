# Generates tests/fixtures/golden-extreme-scales.json: fits whose tau^2 lies far beyond the scale of the smallest
# sampling variance (estimates more than 1e150 of the smallest standard error apart, or one study carrying
# nearly all the weight). evsynth fits at the scale of the smallest variance and refits at the scale of the
# estimates' spread where tau^2 is out of that range (src/models/rma.ts, fitAtSecondScale); it gave
# NOT_CONVERGED on these inputs before. Inputs: cases scripts/fuzz.ts (seed 1) generated, and
# yi = (2e-323, -5), vi = (4.5e-219, 0.29) (docs/robustness.md).
# metafor computes at the data's scale, without rescaling: its tau^2, b and SE(b) are right on these inputs,
# but its Q_E, H^2 (and some SEs of tau^2) are not (Q_E = 0 where the estimates lie 1e149 standard errors
# apart): the test checks tau^2, b and SE(b) against metafor, and Q_E against its closed form for k = 2
# (Q_E = (y1 - y2)^2/(v1 + v2)).
# Usage: Rscript scripts/golden/gen-extreme-scales.R tests/fixtures/golden-extreme-scales.json
source(file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))), "helpers.R"))
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "tests/fixtures/golden-extreme-scales.json"
versions$generator <- "scripts/golden/gen-extreme-scales.R"

inputs <- list(
  list(id = "fuzz-13401", methods = c("EB", "PM", "REML"),
    yi = c(-1.507802459295818e-220, 4.999999999999983, -9.571925071000973e-109, 3.9977366890067523e-125,
           -4.677831667079482e-91, -1.161264232731416e-253),
    vi = c(0.0000026172632405554507, 1.9999999999999982, 0.002462974354197346, 0.00010000000000000011,
           0.0008453059747619203, 2.41704933940692e-193)),
  list(id = "fuzz-38119", methods = c("HE", "REML", "ML", "DL", "SJ", "PM", "EB"),
    yi = c(2.6365496441434397e+98, -1.7358737520379084e-299), vi = c(4.0167590642732914e-260, 0.2149810416256645)),
  list(id = "fuzz-39148", methods = c("SJ", "REML", "ML", "DL", "HE", "PM", "EB"),
    yi = c(-4.9999999999999964, -1.1634097353796698e+149), vi = c(0.00029745314379933045, 3.5204676931806464e-167)),
  list(id = "fuzz-35891", methods = c("REML", "ML", "EB", "PM"),
    yi = c(0, -4.098986032691598e-308, 2.3303661940918593e-198, -2.592560045251629e-286, 1.7762376056412336e-223,
           -1.7557422928975698e+74, -2.5e-323, -5.453116675764489e-226),
    vi = c(0.0006481926465454739, 3.1796453139954904e-83, 2.981350767254126e-19, 9.644357700109794e-171,
           0.21892156594272968, 1.119618003707433, 1.4195817477249104, 0.00010000000000000007)),
  list(id = "fuzz-26421", methods = c("SJ", "REML", "EB"),
    yi = c(1.2294620449495027e-76, -8.714147354598738e+80, 1.7234491941459526e-271, -2.0581574828263254e-164),
    vi = c(0.0008349480733928736, 3.608915921301855e-83, 0.06182224407810575, 1.617499645198769e-301)),
  list(id = "subnormal-pair", methods = c("REML", "EB", "PM"),
    yi = c(2e-323, -5), vi = c(4.5e-219, 0.29))
)

tight <- list(threshold = 1e-12, maxiter = 10000)
cases <- list()
for (inp in inputs) for (m in inp$methods) {
  yi <- inp$yi; vi <- inp$vi
  # metafor's iterations can run for minutes at these scales (as at vi = 1e300): 5 s each, then its error
  res <- tryCatch({
    setTimeLimit(elapsed = 5, transient = TRUE)
    suppressWarnings(rma(yi, vi, method = m, control = tight))
  }, error = function(e) conditionMessage(e))
  setTimeLimit(elapsed = Inf)
  expected <- if (is.character(res)) list(error = res) else
    list(tau2 = num(res$tau2), beta = num(res$beta), se = num(res$se), se.tau2 = num(res$se.tau2),
         QE = num(res$QE), H2 = num(res$H2))
  cases[[length(cases) + 1]] <- list(id = sprintf("%s-%s", inp$id, m), family = "extreme-scales",
    args = list(method = m), input = list(yi = yi, vi = vi), expected = expected, versions = versions)
}
writeLines(toJSON(exact(cases), auto_unbox = TRUE, json_verbatim = TRUE, na = "null", null = "null", pretty = FALSE), out)
cat(sprintf("%d cases written to %s\n", length(cases), out))
