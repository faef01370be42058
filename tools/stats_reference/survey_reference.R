# Reference values from R's survey package (Lumley) for surveyapp.stats.
#
# Run from the repository root after make_reference.py (see README.md):
#
#     Rscript tools/stats_reference/survey_reference.R
#
# Reads tests/stats/fixtures/weighting_data.json and writes
# tests/stats/fixtures/r_survey_reference.json with
#   * finite population corrections: svymean on an equal-probability design with fpc;
#   * post-stratification (postStratify), raking (rake, and calibrate(calfun = "raking"))
#     to age band x gender totals (and an area margin): weights, svymean (SE, deff) and
#     svyciprop "logit" / "beta" (Korn-Graubard) intervals, also for a domain;
#   * the same for a small known population (fpc = N): the 420 respondents as a sample of
#     N = 1350 (a staff-like survey), unweighted, post-stratified and raked to totals scaled
#     to 1350.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})

fixtures <- file.path("tests", "stats", "fixtures")
input <- fromJSON(file.path(fixtures, "weighting_data.json"))
levels_ <- c(0.90, 0.95, 0.99)

# --- finite population correction -------------------------------------------------------
fpc_cases <- list(
  c(37, 200, 20000), c(150, 200, 20000),   # 1 % sampled
  c(37, 200, 1000), c(5, 200, 1000),       # 20 %
  c(37, 200, 400), c(150, 200, 400),       # 50 %
  c(126, 300, 600), c(240, 500, 520)       # staff-like surveys
)
fpc <- lapply(fpc_cases, function(case) {
  x <- case[1]; n <- case[2]; N <- case[3]
  d <- data.frame(y = c(rep(1, x), rep(0, n - x)), N = N)
  des <- svydesign(ids = ~1, fpc = ~N, data = d)
  m <- svymean(~y, des)
  list(successes = x, n = n, population = N, mean = unname(coef(m)),
       se = unname(SE(m)[1]))
})

# --- weighting ----------------------------------------------------------------------------
r <- input$respondents
age_levels <- names(input$population$age)
gender_levels <- names(input$population$gender)
area_levels <- names(input$population$area)
data <- data.frame(
  age = factor(r$age, levels = age_levels),
  gender = factor(r$gender, levels = gender_levels),
  area = factor(r$area, levels = area_levels),
  satisfied = r$satisfied,
  uses_transit = r$uses_transit,
  transit_dissatisfied = r$transit_dissatisfied
)
data$one <- 1
cells <- input$population$cells
pop_cells <- data.frame(
  age = factor(cells$age, levels = age_levels),
  gender = factor(cells$gender, levels = gender_levels),
  Freq = cells$total
)
margin_frame <- function(name, lv) {
  totals <- unlist(input$population[[name]])
  out <- data.frame(factor(names(totals), levels = lv), Freq = unname(totals))
  names(out)[1] <- name
  out
}
pop_age <- margin_frame("age", age_levels)
pop_gender <- margin_frame("gender", gender_levels)
pop_area <- margin_frame("area", area_levels)
total <- sum(pop_cells$Freq)

base <- svydesign(ids = ~1, weights = ~one, data = data)
tight <- list(maxit = 1000, epsilon = 1e-13, verbose = FALSE)

designs <- list(
  poststratify = postStratify(base, ~age + gender, pop_cells),
  rake_age_gender = rake(base, list(~age, ~gender), list(pop_age, pop_gender),
                         control = tight),
  calibrate_age_gender = calibrate(
    base, ~age + gender,
    population = c(total, pop_age$Freq[-1], pop_gender$Freq[-1]),
    calfun = "raking", epsilon = 1e-13, maxit = 1000
  ),
  rake_age_gender_area = rake(base, list(~age, ~gender, ~area),
                              list(pop_age, pop_gender, pop_area), control = tight),
  calibrate_age_gender_area = calibrate(
    base, ~age + gender + area,
    population = c(total, pop_age$Freq[-1], pop_gender$Freq[-1], pop_area$Freq[-1]),
    calfun = "raking", epsilon = 1e-13, maxit = 1000
  ),
  unweighted = base
)

estimate <- function(des, variable) {
  f <- as.formula(paste0("~", variable))
  m <- svymean(f, des, deff = "replace")
  cis <- lapply(levels_, function(lv) {
    logit <- svyciprop(f, des, method = "logit", level = lv)
    beta <- svyciprop(f, des, method = "beta", level = lv)
    list(level = lv,
         logit = unname(as.vector(attr(logit, "ci"))),
         beta = unname(as.vector(attr(beta, "ci"))))
  })
  list(variable = variable, mean = unname(coef(m)[1]), se = unname(SE(m)[1]),
       deff = unname(deff(m)[1]), degf = degf(des), nrow = nrow(des), intervals = cis)
}

weighting <- lapply(names(designs), function(name) {
  des <- designs[[name]]
  domain <- subset(des, uses_transit == 1)
  list(
    design = name,
    weights = unname(weights(des)),
    satisfied = estimate(des, "satisfied"),
    transit_dissatisfied_among_users = estimate(domain, "transit_dissatisfied")
  )
})
names(weighting) <- names(designs)

# --- weighting with a finite population correction ---------------------------------------
small_n <- 1350
scale <- small_n / total
data$N <- small_n
fpc_base <- svydesign(ids = ~1, fpc = ~N, data = data)
small_cells <- transform(pop_cells, Freq = Freq * scale)
fpc_designs <- list(
  unweighted = fpc_base,
  poststratify = postStratify(fpc_base, ~age + gender, small_cells),
  calibrate_age_gender = calibrate(
    fpc_base, ~age + gender,
    population = c(small_n, pop_age$Freq[-1] * scale, pop_gender$Freq[-1] * scale),
    calfun = "raking", epsilon = 1e-13, maxit = 1000
  )
)
weighting_fpc <- lapply(names(fpc_designs), function(name) {
  des <- fpc_designs[[name]]
  domain <- subset(des, uses_transit == 1)
  list(
    design = name,
    population = small_n,
    weights = unname(weights(des)),
    satisfied = estimate(des, "satisfied"),
    transit_dissatisfied_among_users = estimate(domain, "transit_dissatisfied")
  )
})
names(weighting_fpc) <- names(fpc_designs)

out <- list(
  generator = "tools/stats_reference/survey_reference.R",
  r_version = R.version.string,
  survey_version = as.character(packageVersion("survey")),
  fpc = fpc,
  weighting = weighting,
  weighting_fpc = weighting_fpc
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           file.path(fixtures, "r_survey_reference.json"))
cat("wrote", file.path(fixtures, "r_survey_reference.json"), "\n")
