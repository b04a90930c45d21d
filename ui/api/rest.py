"""The REST API: ask, status, documents (list, upload, delete) and feedback, under /api."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from rag.access import Role
from rag.errors import (
    DocumentConflictError,
    DocumentError,
    DocumentLimitError,
    JobNotFoundError,
    UploadTooLargeError,
)
from rag.jobs import Job, Jobs
from rag.service import ApiService
from rag.session import Reply
from ui.api.errors import RESPONSES
from ui.api.models import (
    Article,
    AskRequest,
    AskResponse,
    DocumentList,
    FeedbackOut,
    FeedbackRequest,
    JobFileOut,
    JobList,
    JobOut,
    RemovedOut,
    StatusOut,
    UploadOut,
    UploadResponse,
    failed,
)
from ui.door import Access, bearer_documented


def _error(description: str) -> dict[str, Any]:
    return RESPONSES[422] | {"description": description}


Collection = Annotated[
    str | None, Query(description="The collection (default: the server's, if yours)")
]


def router(service: ApiService) -> APIRouter:
    """The /api routes over a service, each for the principal the door let in."""
    api = APIRouter(prefix="/api", tags=["REST"], dependencies=[Depends(bearer_documented)])

    @api.post(
        "/ask",
        response_model=AskResponse,
        responses={
            **RESPONSES,
            400: _error("Empty question, or an unknown `source`"),
            409: _error("The index is empty"),
        },
    )
    def ask(request: AskRequest, scope: Access) -> AskResponse:
        """Answer a question, as `rag ask --json` does; `history` makes it a follow-up."""
        engine = scope.engine(request.collection)
        *_, reply = service.stream(
            engine, request.question, request.history, request.top_k, request.source
        )
        assert isinstance(reply, Reply)
        if reply.answer is None:
            raise failed(reply)
        return AskResponse(answer_id=reply.key, **reply.answer.to_dict())

    @api.get("/status", response_model=StatusOut, responses=RESPONSES)
    def status(scope: Access, collection: Collection = None) -> StatusOut:
        """A collection's articles, the embedding model and the answer mode."""
        engine = scope.engine(collection)
        found = engine.status().to_dict()
        return StatusOut.model_validate({**found, "collection": engine.collection})

    @api.get("/documents", response_model=DocumentList, responses=RESPONSES)
    def documents(scope: Access, collection: Collection = None) -> DocumentList:
        """The indexed articles of a collection."""
        articles = scope.engine(collection).status().to_dict()["articles"]
        return DocumentList(documents=[Article.model_validate(a) for a in articles])

    @api.post(
        "/documents",
        response_model=UploadResponse,
        responses={
            **RESPONSES,
            400: _error("No file could be used (the message gives each reason)"),
            409: _error("Every file would take the name of another indexed document"),
            413: _error("The upload is over RAG_WEB__MAX_UPLOAD_MB"),
        },
    )
    def upload(
        request: Request,
        files: Annotated[list[UploadFile], File()],
        scope: Access,
        collection: Collection = None,
        wait: Annotated[
            bool, Query(description="false: answer 202 with the job at once, and poll it")
        ] = True,
    ) -> Any:
        """Add .txt/.md/.pdf/.html/.docx files to the index, with the web upload's checks."""
        # Refused before a byte is copied when the role does not allow it.
        name = scope.require(Role.EDITOR, collection)
        with tempfile.TemporaryDirectory(prefix="rag-upload-") as folder:
            received = []
            for number, item in enumerate(files):
                temporary = Path(folder) / str(number)
                with temporary.open("wb") as out:
                    shutil.copyfileobj(item.file, out)
                received.append((temporary, item.filename or ""))
            if not wait:
                jobs: Jobs = request.app.state.jobs
                engine = scope.engine(name, Role.EDITOR)
                job_id = jobs.submit_upload(
                    received, scope.uploads(engine), name, who=scope.principal.name
                )
                scope.record("documents submitted", f"job {job_id}", name, str(len(received)))
                found = jobs.get(job_id)
                assert found is not None
                return JSONResponse(
                    _job(found).model_dump(),
                    status_code=202,
                    headers={"Location": f"/api/jobs/{job_id}"},
                )
            results = scope.add_documents(received, collection)
        if all(r.status == "failed" for r in results):
            message = "; ".join(r.reason for r in results)
            for kind in (UploadTooLargeError, DocumentLimitError, DocumentConflictError):
                if all(isinstance(r.error, kind) for r in results):
                    raise kind(message)
            raise DocumentError(message)
        return UploadResponse(
            documents=[
                UploadOut(name=r.name, status=r.status, reason=r.reason or None) for r in results
            ]
        )

    @api.delete(
        "/documents/{source}",
        response_model=RemovedOut,
        responses={
            **RESPONSES,
            404: _error("No article of that name"),
            409: _error("Two documents share the name: say which with `path`"),
        },
    )
    def remove(
        source: str,
        scope: Access,
        collection: Collection = None,
        path: Annotated[
            str | None, Query(description="Which file, when two documents share the name")
        ] = None,
    ) -> RemovedOut:
        """Take an article out of the index (an uploaded file is deleted too)."""
        removed, deleted = scope.remove_document(source, collection, path=path)
        return RemovedOut(source=source, chunks_removed=removed.chunks, file_deleted=deleted)

    @api.get("/jobs", response_model=JobList, responses=RESPONSES)
    def jobs(request: Request, scope: Access) -> JobList:
        """The newest upload and ingest jobs of the collections you may read."""
        visible = set(scope.names())
        found = request.app.state.jobs.recent(50)
        return JobList(jobs=[_job(j) for j in found if j.collection in visible])

    @api.get(
        "/jobs/{job_id}",
        response_model=JobOut,
        responses={**RESPONSES, 404: _error("No job of that id in your collections")},
    )
    def job(request: Request, job_id: str, scope: Access) -> JobOut:
        """One job: its state, progress and, once finished, each file's result."""
        found = request.app.state.jobs.get(job_id)
        if found is None or found.collection not in scope.names():
            raise JobNotFoundError(f"No job with id {job_id!r} in the collections you may read.")
        return _job(found)

    @api.post(
        "/feedback",
        response_model=FeedbackOut,
        responses={**RESPONSES, 404: _error("No kept answer has that id")},
    )
    def feedback(request: FeedbackRequest, scope: Access) -> FeedbackOut:
        """A thumbs up or down on an answer, by the `answer_id` its response carried."""
        # Only on an answer from a collection the caller may read.
        scope.engine(service.answered(request.answer_id)[1].collection)
        service.vote(request.answer_id, request.vote)
        return FeedbackOut(answer_id=request.answer_id, vote=request.vote, saved=True)

    return api


def _job(job: Job) -> JobOut:
    """A job as the API shows it."""
    found = job.to_dict()
    found["results"] = [
        JobFileOut(name=r.name, status=r.status, reason=r.reason or None) for r in job.results
    ]
    return JobOut.model_validate(found)
