"""Test set-up: offline model loading, and the shared fixtures in tests/fixtures/ as plugins."""

from __future__ import annotations

import os

import pytest

# Set before anything imports transformers or gradio: both read these once.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

# The shared helpers assert too: their failures should read like a test's own.
pytest.register_assert_rewrite("tests.fixtures")

pytest_plugins = [
    "tests.fixtures.network",
    "tests.fixtures.indexes",
    "tests.fixtures.browser",
    "tests.fixtures.cli",
]

# What makes a test slow: the seeded index (built once, ~180 MB a copy), a browser, a real LLM.
_SLOW_FIXTURES = {"seeded_index", "page", "browser", "llama_server"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the slow tests, so `make test-fast` (-m "not slow") runs the rest in a minute."""
    for item in items:
        if _SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
