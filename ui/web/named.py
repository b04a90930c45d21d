"""Named outputs for Gradio events: a handler returns what it changes by name, not by position."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

# What a handler returns: output name -> new value or gr.update(); names left out stay as they are.
Updates = dict[str, Any]


def named(handler: Callable[..., Any], names: list[str]) -> Callable[..., Any]:
    """The handler with its named updates laid out in the order of the event's outputs."""

    def order(updates: Updates) -> tuple[Any, ...]:
        unknown = set(updates) - set(names)
        if unknown:
            raise KeyError(f"{handler.__name__} returned outputs not wired: {sorted(unknown)}")
        return tuple(updates[name] if name in updates else gr.skip() for name in names)

    # Gradio streams from generator functions and reads the signature for gr.Request/Progress.
    if inspect.isgeneratorfunction(handler):

        @functools.wraps(handler)
        def streaming(*args: Any, **kwargs: Any) -> Iterator[tuple[Any, ...]]:
            for updates in handler(*args, **kwargs):
                yield order(updates)

        return streaming

    @functools.wraps(handler)
    def single(*args: Any, **kwargs: Any) -> tuple[Any, ...]:
        return order(handler(*args, **kwargs))

    return single


def wire(
    trigger: Callable[..., Any],
    handler: Callable[..., Any],
    inputs: list[Any],
    outputs: dict[str, Any],
    **options: Any,
) -> Any:
    """Attach a handler to an event listener, its outputs named; returns the event."""
    return trigger(named(handler, list(outputs)), inputs, list(outputs.values()), **options)
