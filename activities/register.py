"""Publish a signed agreement (9.1) and enter it in the information sharing register (4.14)."""

from __future__ import annotations

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.files import path_of, sha256_of, write_atomically
from infoshare.database.dml import upsert
from infoshare.database.models import AgreementRow, RegisterRow, utcnow
from infoshare.database.session import session_scope
from infoshare.settings import get_settings
from states.types import Publication, PublishRequest

log = structlog.get_logger()


def public_path(proposal_id: str, version: int) -> str:
    """The stable public path of a published version (served by the web form)."""
    return f"/register/{proposal_id}/v{version}"


def _read_signed(uri: str, sha256: str, what: str) -> bytes:
    try:
        data = path_of(uri).read_bytes()
    except (ValueError, OSError) as exc:
        raise ApplicationError(
            f"the signed {what} cannot be read at {uri}: {exc}", type="AgreementMissing"
        ) from None
    if sha256_of(data) != sha256:
        raise ApplicationError(
            f"the stored {what} at {uri} no longer has the signed SHA-256 {sha256}: "
            "it was changed after signing; publish nothing until it is restored",
            type="AgreementTampered",
            non_retryable=True,
        )
    return data


@activity.defn(name="publish_agreement")
def publish_agreement(req: PublishRequest) -> Publication:
    """Copy the signed version (and its PDF rendering) to the published folder and write
    the register row. Idempotent: the same request gives the same files and one row."""
    folder = get_settings().documents_dir / "published" / req.proposal_id
    document = _read_signed(req.uri, req.sha256, f"agreement version {req.version}")
    suffix = path_of(req.uri).suffix or ".html"
    html_path = (folder / f"agreement-v{req.version}{suffix}").resolve()
    write_atomically(html_path, document)
    pdf_uri: str | None = None
    pdf_sha256: str | None = None
    with session_scope() as session:
        stored = session.get(AgreementRow, (req.proposal_id, req.version))
        if stored is not None and stored.pdf_uri and stored.pdf_sha256:
            pdf = _read_signed(stored.pdf_uri, stored.pdf_sha256, "PDF rendering")
            pdf_path = (folder / f"agreement-v{req.version}.pdf").resolve()
            write_atomically(pdf_path, pdf)
            pdf_uri, pdf_sha256 = pdf_path.as_uri(), stored.pdf_sha256
        existing = session.get(RegisterRow, req.proposal_id)
        same_version = existing is not None and existing.version == req.version
        now = utcnow()
        upsert(
            session,
            RegisterRow,
            {
                "proposal_id": req.proposal_id,
                "title": req.title,
                "parties": list(req.parties),
                "purpose": req.purpose,
                "lawful_basis": req.lawful_basis,
                "lawful_basis_justification": req.lawful_basis_justification,
                "conditions": {
                    k: v for k, v in (req.special_category_condition or {}).items() if v
                },
                "special_categories": list(req.special_categories),
                "dpia_required": req.dpia_required,
                "dpia_outcome": req.dpia_outcome,
                "security_method": req.security_method,
                "version": req.version,
                "sha256": req.sha256,
                "public_path": public_path(req.proposal_id, req.version),
                "html_uri": html_path.as_uri(),
                "pdf_uri": pdf_uri,
                "pdf_sha256": pdf_sha256,
                "signatures": [s.model_dump(mode="json") for s in req.signatures],
                "signed_at": req.signed_at,
                # a retry keeps the first publication time of this version
                "published_at": existing.published_at if same_version and existing else now,
                "next_review_due": req.next_review_due,
                "status": req.state,
                "updated_at": now,
            },
            ["proposal_id"],
        )
    log.info(
        "register.published",
        proposal_id=req.proposal_id,
        version=req.version,
        sha256=req.sha256,
        pdf=pdf_uri is not None,
    )
    return Publication(
        public_path=public_path(req.proposal_id, req.version),
        html_uri=html_path.as_uri(),
        pdf_uri=pdf_uri,
    )
