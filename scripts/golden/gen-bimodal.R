# Generates tests/fixtures/golden-bimodal.json: ML and REML fits whose (restricted) log-likelihood in tau^2 is
# bimodal (a local maximum at tau^2 = 0 and a higher one inside), where a local search can stop at the wrong
# one. The first two cases are counterexamples fast-check found in tests/rma-mv.properties.test.ts ('one
# random effect per row is rma.uni'); the others are random cases of the same class (a few studies far from 0 among
# studies at y = 0, small vi; drawn at random, inputs below) on which evsynth's rma.uni stopped at tau^2 = 0
# before the fix.
# The expected fit is metafor's best: the highest log-likelihood among rma() with its default control and
# with tight control from several starting values (tau2.init), and rma.mv(random = ~ 1 | id) with its default
# control and from several starting values (sigma2.init). metafor's rma() with default control stops at
# tau^2 = 0 in several of these cases (warning that Fisher scoring "may have gotten stuck at a local maximum"):
# its answer is recorded as rma_default, with its log-likelihood (or its error: on the fast-check case its
# Fisher scoring does not converge in 100 iterations), to show the difference.
# Usage: Rscript scripts/golden/gen-bimodal.R tests/fixtures/golden-bimodal.json
source(file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))), "helpers.R"))
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "tests/fixtures/golden-bimodal.json"
versions$generator <- "scripts/golden/gen-bimodal.R"

inputs <- list(
  list(id = "fast-check-counterexample", methods = c("ML", "REML"),
    yi = c(0.38958490934866796, 0, 0, 0, 0, 0, 0, 0, 0, -1.9999999999999993),
    vi = c(0.029814077241396637, 0.01438954962662479, 0.0871429667892236, 0.49999999999997335, 0.15013460474715215,
           0.013414950215848657, 0.035590010086926256, 0.49999999999998856, 0.09552479343477827, 0.22469693374798017)),
  # a second counterexample of the same property (after the first fix): rma.uni was right, rma.mv's Newton step
  # from beyond the interior maximum jumped over it onto sigma^2 = 0, which beat the point it came from
  list(id = "fast-check-counterexample-2", methods = c("ML", "REML"),
    yi = c(0, -1.998026788171211, 0, 0, 0),
    vi = c(0.014268617708072522, 0.18946812220123, 0.010000000000000021, 0.012747365398271891, 0.019065765254616195)),
  list(id = "random-1", methods = "ML",
    yi = c(1.9087298502912744, -1.0107732351869345, 0.3288711904082447, 0.0, 0.0),
    vi = c(0.35243470771471036, 0.37115711299004034, 0.04023919339397172, 0.05489851188207441, 0.03729244937188923)),
  list(id = "random-2", methods = "ML",
    yi = c(0.5405812294222414, 0.5128022159915417, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    vi = c(0.03509777884758276, 0.32471803901018576, 0.14879842565940055, 0.01165513881087519, 0.2555689654080197, 0.005046602100466228, 0.4607185597461648, 0.4992509977519512, 0.318449173757402)),
  list(id = "random-3", methods = "ML",
    yi = c(1.1361922090873122, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    vi = c(0.0829482971667312, 0.03620016540994411, 0.3255853836259792, 0.2529358020680956, 0.0070235479940371865, 0.338849611536134, 0.3530107745830901, 0.09514919581727724, 0.17933982835151255, 0.4797912960126996, 0.462815239506308, 0.23358585590847541, 0.1265995854123325, 0.21302825616350843, 0.09442214319016784, 0.3263506223750301, 0.3204554565087892)),
  list(id = "random-4", methods = "ML",
    yi = c(0.4629794802516699, 0.7337514034239575, -1.0046854061074555, 0.0, 0.0, 0.0, 0.0, 0.0),
    vi = c(0.04576806886848736, 0.2639453040001376, 0.1379614590894824, 0.2521636246400885, 0.01588850394793291, 0.3958949674409814, 0.022308613185305148, 0.0704741289495272)),
  list(id = "random-5", methods = "ML",
    yi = c(0.8419774798676372, 0.0, 0.0, 0.0, 0.0),
    vi = c(0.005953704556746762, 0.24854563708417118, 0.41009748144075275, 0.40164866152917966, 0.1826719679948383)),
  list(id = "random-6", methods = "ML",
    yi = c(1.8012991417199373, 1.4247040236368775, 1.1931242877617478, -1.150005611591041, 1.3662089053541422, 1.0016551604494452, 1.977766021154821),
    vi = c(0.2708611054392532, 0.4188051022705622, 0.006926508314534821, 0.389914438361302, 0.1506221758038737, 0.010719878184013815, 0.3260437924836608)),
  list(id = "random-7", methods = "REML",
    yi = c(-0.774909670324996, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    vi = c(0.03402632766664056, 0.2314855772198618, 0.0169260870286462, 0.3694571883776062, 0.005457725709397029, 0.0073970239158335305, 0.3452633761311881, 0.13270195942302582, 0.014909880282357336, 0.008184559370431535, 0.09882479842053726, 0.06322679082630202, 0.36792508739745244, 0.44153295468539, 0.14377913640334808, 0.06225724683431775, 0.1038079462309139, 0.22324233201798052)),
  list(id = "random-8", methods = "REML",
    yi = c(-1.575183378555812, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    vi = c(0.18062507277121767, 0.005463380304574307, 0.040382979301473984, 0.4355253247178862, 0.34389414472971114, 0.1755630019530625, 0.15695754254003988, 0.05794497452842636, 0.29540351502830164)),
  list(id = "random-9", methods = "REML",
    yi = c(0.8104181181639432, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    vi = c(0.04434415364637971, 0.22431261425372215, 0.4032664238498546, 0.41793459609616546, 0.17372057348955422, 0.30187432541279124, 0.16931259518722072, 0.24444140993733168, 0.4899302656576037, 0.006804849496788178, 0.11362038829363882, 0.006659330392397382, 0.28114610947867713, 0.3026314624072984, 0.26902737103635443, 0.05764489524066448, 0.01575842758442924, 0.03058336088889108, 0.44641089836135506)),
  # found by an adversarial check: one imprecise study lifted the interior search's grid above the maximum
  # (adversarial-1, evsynth gave 0), and two interior maxima where the iteration stopped at the lower one
  # (adversarial-2, evsynth gave 0.0031)
  list(id = "adversarial-1", methods = "REML",
    yi = c(1.5647, 0, 0.5084, 0, -1.7514, 0, 0, 6.8),
    vi = c(0.3041, 0.0001576, 0.1762, 0.006765, 0.09336, 0.0003366, 0.0008388, 88243)),
  list(id = "adversarial-2", methods = "REML",
    yi = c(-0.92028, 0, 0, 0.07690, -1.52014),
    vi = c(0.075181, 0.00044786, 0.0038898, 0.00054281, 238.15)),
  list(id = "random-10", methods = "REML",
    yi = c(-0.9893796219723299, -1.1561397109413518, -1.645941384229809, 0.0, 0.0),
    vi = c(0.010801018909700925, 0.02849335334496573, 0.1276642791298218, 0.332410665666293, 0.40968677822500466))
)

starts <- c(0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1)
tight <- list(threshold = 1e-13, maxiter = 100000)
quiet <- function(f) tryCatch(suppressWarnings(f()), error = function(e) NULL)
cases <- list()
for (inp in inputs) for (m in inp$methods) {
  yi <- inp$yi; vi <- inp$vi; id <- seq_along(yi)
  fits <- c(
    list(quiet(function() rma(yi, vi, method = m))),
    lapply(starts, function(s) quiet(function() rma(yi, vi, method = m, control = c(tight, list(tau2.init = s))))),
    list(quiet(function() rma.mv(yi, vi, random = ~ 1 | id, method = m))),
    lapply(starts, function(s) quiet(function() rma.mv(yi, vi, random = ~ 1 | id, method = m,
      control = list(sigma2.init = s, rel.tol = 1e-14, eval.max = 10000, iter.max = 10000))))
  )
  fits <- Filter(Negate(is.null), fits)
  lls <- sapply(fits, function(f) as.numeric(logLik(f)))
  best <- fits[[which.max(lls)]]
  tau2 <- if (inherits(best, "rma.mv")) best$sigma2 else best$tau2
  # polish the best value with a tight rma() fit from it (the same maximum, to double precision)
  polished <- quiet(function() rma(yi, vi, method = m, control = c(tight, list(tau2.init = max(tau2, 1e-8)))))
  if (!is.null(polished) && as.numeric(logLik(polished)) >= max(lls) - 1e-12) best <- polished
  tau2 <- if (inherits(best, "rma.mv")) best$sigma2 else best$tau2
  def <- tryCatch(suppressWarnings(rma(yi, vi, method = m)), error = function(e) conditionMessage(e))
  zero <- rma(yi, vi, method = m, tau2 = 0)
  cases[[length(cases) + 1]] <- list(id = sprintf("%s-%s", inp$id, m), family = "bimodal", args = list(method = m),
    input = list(yi = yi, vi = vi),
    expected = list(tau2 = num(tau2), beta = num(best$beta), se = num(best$se), ll = as.numeric(logLik(best)),
      ll_tau2_0 = as.numeric(logLik(zero)),
      rma_default = if (is.character(def)) list(error = def) else list(tau2 = num(def$tau2), ll = as.numeric(logLik(def)))),
    versions = versions)
}
writeLines(toJSON(exact(cases), auto_unbox = TRUE, json_verbatim = TRUE, na = "null", null = "null", pretty = FALSE), out)
cat(sprintf("%d cases written to %s\n", length(cases), out))
