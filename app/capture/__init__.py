"""Camera, microphone and recorder (no Qt)."""
