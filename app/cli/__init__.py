"""The `roundtwo` command line: the same core services the desktop app uses."""
