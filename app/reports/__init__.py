"""Interview reports: the summary model, text rendering (PDF and charts come later)."""
