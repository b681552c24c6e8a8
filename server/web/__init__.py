"""Server-rendered web pages of the hub: the HR dashboard and candidate self-scheduling."""
