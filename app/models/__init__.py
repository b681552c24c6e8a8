"""On-device ONNX models: manifest, registry, sessions, one runner per model."""
