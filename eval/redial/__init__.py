"""The ReDial recommendation benchmark: `benchmark.run_benchmark` (`convrec eval redial`)."""
