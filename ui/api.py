"""The REST API: ask, status, documents (list, upload, delete) and feedback, under /api."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, UploadFile

from rag.errors import DocumentError, UploadTooLargeError
from rag.service import ApiService
from rag.session import Reply
from ui.api_errors import RESPONSES
from ui.api_keys import key_check
from ui.api_models import (
    Article,
    AskRequest,
    AskResponse,
    DocumentList,
    FeedbackOut,
    FeedbackRequest,
    RemovedOut,
    StatusOut,
    UploadOut,
    UploadResponse,
    failed,
)


def _error(description: str) -> dict[str, Any]:
    return RESPONSES[422] | {"description": description}


def router(service: ApiService, keys: list[str]) -> APIRouter:
    """The /api routes over a service; every one needs a key when keys are configured."""
    api = APIRouter(prefix="/api", tags=["REST"], dependencies=[Depends(key_check(keys))])
    engine = service.engine

    @api.post(
        "/ask",
        response_model=AskResponse,
        responses={
            **RESPONSES,
            400: _error("Empty question, or an unknown `source`"),
            409: _error("The index is empty"),
        },
    )
    def ask(request: AskRequest) -> AskResponse:
        """Answer a question, as `rag ask --json` does; `history` makes it a follow-up."""
        *_, reply = service.stream(request.question, request.history, request.top_k, request.source)
        assert isinstance(reply, Reply)
        if reply.answer is None:
            raise failed(reply)
        return AskResponse(answer_id=reply.key, **reply.answer.to_dict())

    @api.get("/status", response_model=StatusOut, responses=RESPONSES)
    def status() -> StatusOut:
        """The index, its articles, the embedding model and the answer mode."""
        return StatusOut.model_validate(engine.status().to_dict())

    @api.get("/documents", response_model=DocumentList, responses=RESPONSES)
    def documents() -> DocumentList:
        """The indexed articles."""
        articles = engine.status().to_dict()["articles"]
        return DocumentList(documents=[Article.model_validate(a) for a in articles])

    @api.post(
        "/documents",
        response_model=UploadResponse,
        responses={
            **RESPONSES,
            400: _error("No file could be used (the message gives each reason)"),
            413: _error("The upload is over RAG_WEB__MAX_UPLOAD_MB"),
        },
    )
    def upload(files: Annotated[list[UploadFile], File()]) -> UploadResponse:
        """Add .txt/.md/.pdf/.html/.docx files to the index, with the web upload's checks."""
        with tempfile.TemporaryDirectory(prefix="rag-upload-") as folder:
            received = []
            for number, item in enumerate(files):
                temporary = Path(folder) / str(number)
                with temporary.open("wb") as out:
                    shutil.copyfileobj(item.file, out)
                received.append((temporary, item.filename or ""))
            results = service.add_documents(received)
        if all(r.status == "failed" for r in results):
            message = "; ".join(r.reason for r in results)
            too_large = all(isinstance(r.error, UploadTooLargeError) for r in results)
            raise UploadTooLargeError(message) if too_large else DocumentError(message)
        return UploadResponse(
            documents=[
                UploadOut(name=r.name, status=r.status, reason=r.reason or None) for r in results
            ]
        )

    @api.delete(
        "/documents/{source}",
        response_model=RemovedOut,
        responses={**RESPONSES, 404: _error("No article of that name")},
    )
    def remove(source: str) -> RemovedOut:
        """Take an article out of the index (an uploaded file is deleted too)."""
        removed, deleted = service.remove_document(source)
        return RemovedOut(source=source, chunks_removed=removed.chunks, file_deleted=deleted)

    @api.post(
        "/feedback",
        response_model=FeedbackOut,
        responses={**RESPONSES, 404: _error("No kept answer has that id")},
    )
    def feedback(request: FeedbackRequest) -> FeedbackOut:
        """A thumbs up or down on an answer, by the `answer_id` its response carried."""
        service.vote(request.answer_id, request.vote)
        return FeedbackOut(answer_id=request.answer_id, vote=request.vote, saved=True)

    return api
