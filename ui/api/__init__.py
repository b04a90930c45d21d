"""The HTTP APIs: an OpenAI-compatible chat API under /v1 and a REST API under /api."""
