"""Education monitoring: goals, indicators, observations, targets and measures."""
