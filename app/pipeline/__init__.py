"""The live analysis pipeline: latest-frame scheduling, per-model rates, timestamped results."""
