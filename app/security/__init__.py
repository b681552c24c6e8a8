"""Encryption at rest on the laptop: recording keys (OS keychain or passphrase) and the
chunked authenticated file format recordings are written in."""
