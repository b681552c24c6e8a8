"""Training management: course catalogue, gap -> plan, progress to the bar."""
