"""Hub schema revisions, oldest first."""
