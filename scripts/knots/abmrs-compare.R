# The authors' ABMRS (EBARS, commit 16dda3d) on the data sets prepared by abmrs-compare.ts.
#   Rscript scripts/knots/abmrs-compare.R DATA_DIR ABMRS_LIB
# Reads DATA_DIR/settings.tsv (name, file, degree, k, n, gamma, burns, steps, chains, test file)
# and writes DATA_DIR/abmrs-results.jsonl: one JSON object per data set.
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]; lib <- args[2]
suppressMessages(library(ABMRS, lib.loc = lib))
settings <- read.delim(file.path(dir, "settings.tsv"), stringsAsFactors = FALSE)
num <- function(v) ifelse(is.finite(v), sprintf("%.10g", v), "null")
vec <- function(v) paste0("[", paste(num(v), collapse = ","), "]")
trimmed_mse <- function(est, truth, trim = 0.025) {
  e <- sort((est - truth)^2); n <- length(e); lo <- floor(trim * n)
  mean(e[(lo + 1):(n - lo)])
}
out <- file(file.path(dir, "abmrs-results.jsonl"), "w")
for (r in seq_len(nrow(settings))) {
  s <- settings[r, ]
  d <- read.csv(file.path(dir, s$file))
  knots_all <- list(); secs <- 0; preds <- NULL
  has_test <- nzchar(s$test)
  if (has_test) test <- read.csv(file.path(dir, s$test))
  for (ch in seq_len(s$chains)) {
    set.seed(1000 + ch)
    fit <- ebars(d$x, d$y, gamma = s$gamma, c = 0.3, k = s$k, n = s$n, degree = s$degree, intercept = TRUE)
    t0 <- proc.time()[["elapsed"]]
    fit$rjmcmc(burns = s$burns, steps = s$steps)
    secs <- secs + proc.time()[["elapsed"]] - t0
    knots_all <- c(knots_all, fit$knots())
    if (has_test) preds <- cbind(preds, fit$predict(test$x))
  }
  ks <- sapply(knots_all, length)
  kmode <- as.integer(names(which.max(table(ks))))
  at_mode <- do.call(rbind, lapply(knots_all[ks == kmode], sort))
  if (kmode == 0) at_mode <- matrix(numeric(0), nrow = 1)
  means <- if (kmode > 0) colMeans(at_mode) else numeric(0)
  lo <- if (kmode > 0) apply(at_mode, 2, quantile, 0.025) else numeric(0)
  hi <- if (kmode > 0) apply(at_mode, 2, quantile, 0.975) else numeric(0)
  mse <- if (has_test) trimmed_mse(rowMeans(preds), test$f) else NA
  its <- s$chains * (s$burns + s$steps) / secs
  writeLines(sprintf('{"name":"%s","meanK":%s,"modeK":%d,"knotMean":%s,"knotLo":%s,"knotHi":%s,"trimmedMse":%s,"itPerSec":%s,"seconds":%s}',
    s$name, num(mean(ks)), kmode, vec(means), vec(lo), vec(hi), num(mse), num(its), num(secs)), out)
  cat("ABMRS", s$name, "done in", round(secs, 1), "s\n")
}
close(out)
