"""HTTP layer of the hub: thin routes over the repository functions."""
