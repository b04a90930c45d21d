"""Test set-up: offline model loading, and the shared fixtures in tests/fixtures/ as plugins."""

from __future__ import annotations

import os

# Set before anything imports transformers or gradio: both read these once.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

pytest_plugins = [
    "tests.fixtures.network",
    "tests.fixtures.indexes",
    "tests.fixtures.browser",
]
