"""Draft the information sharing agreement (PROTOCOL.md 2.8, section 9 of the protocol).

The text follows the headings of the ICO Data Sharing Code of Practice, from the template
`templates/agreement_body.html`. Each version is stored as a standalone HTML document, a
pure function of the request (no dates or times in it), so the same request always gives
the same bytes and SHA-256: that hash is what every signatory signs. The same version is
also rendered to PDF (deterministic too), stored beside it with its own hash.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import structlog
from markupsafe import Markup
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.files import path_of, sha256_of, write_atomically
from activities.pdf import html_to_pdf
from activities.templating import clean_text, render
from infoshare.database.dml import insert_or_ignore
from infoshare.database.models import AgreementRow, utcnow
from infoshare.database.session import session_scope
from infoshare.settings import get_settings
from states.types import AgreementDraft, AgreementRequest

log = structlog.get_logger()

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$")

LAWFUL_BASES: dict[str, str] = {
    "consent": "UK GDPR Article 6(1)(a): consent",
    "contract": "UK GDPR Article 6(1)(b): contract",
    "legal_obligation": "UK GDPR Article 6(1)(c): legal obligation",
    "vital_interests": "UK GDPR Article 6(1)(d): vital interests",
    "public_task": "UK GDPR Article 6(1)(e): public task",
    "legitimate_interests": "UK GDPR Article 6(1)(f): legitimate interests",
}

ARTICLE9_CONDITIONS: dict[str, str] = {
    "a": "explicit consent",
    "b": "employment, social security and social protection law",
    "c": "vital interests of a person unable to give consent",
    "d": "legitimate activities of a not-for-profit body",
    "e": "made manifestly public by the data subject",
    "f": "legal claims or judicial acts",
    "g": "reasons of substantial public interest",
    "h": "health or social care",
    "i": "public health",
    "j": "archiving, research or statistics",
}

FREQUENCIES: dict[str, str] = {
    "one_off": "once",
    "occasional": "occasionally",
    "regular": "regularly",
}


def _human(value: str) -> str:
    return value.replace("_", " ")


def _article9(value: str) -> str:
    letter = value.strip().lower()
    match = re.fullmatch(r"(?:art(?:icle)?\s*)?(?:9\s*\(2\)\s*)?\(?([a-j])\)?", letter)
    if match:
        key = match.group(1)
        return f"UK GDPR Article 9(2)({key}): {ARTICLE9_CONDITIONS[key]}"
    return clean_text(value)


def _conditions(req: AgreementRequest) -> list[tuple[str, str]]:
    """The Art 9 / Schedule 1 / Art 10 conditions as (label, text) lines."""
    condition = req.special_category_condition or {}
    lines: list[tuple[str, str]] = []
    if req.special_categories or condition.get("article9"):
        article9 = condition.get("article9")
        lines.append(
            (
                "Special category condition",
                _article9(article9) if article9 else "to be confirmed by Information Rights (7.3)",
            )
        )
        if condition.get("schedule1"):
            lines.append(
                (
                    "Data Protection Act 2018, Schedule 1 condition",
                    clean_text(condition["schedule1"] or ""),
                )
            )
    if req.criminal_offence_data or condition.get("article10_schedule1"):
        article10 = condition.get("article10_schedule1")
        lines.append(
            (
                "Criminal offence data (UK GDPR Article 10)",
                f"Data Protection Act 2018 Schedule 1 condition: {clean_text(article10)}"
                if article10
                else "condition to be confirmed by Information Rights",
            )
        )
    if condition.get("reason"):
        lines.append(("Reasons", clean_text(condition["reason"] or "")))
    known = {"article9", "schedule1", "article10_schedule1", "reason"}
    for key in sorted(set(condition) - known):
        if condition[key]:
            lines.append((_human(key).capitalize(), clean_text(condition[key] or "")))
    return lines


def agreement_context(req: AgreementRequest) -> dict[str, Any]:
    """What the template shows: every value cleaned of control characters; no dates."""
    return {
        "title": clean_text(req.title),
        "proposal_id": req.proposal_id,
        "version": req.version,
        "purpose": req.purpose,
        "parties": [clean_text(p) for p in dict.fromkeys(req.parties)],
        "volume": req.volume,
        "frequency": FREQUENCIES.get(req.frequency, _human(req.frequency))
        if req.frequency
        else None,
        "special_categories": [_human(c) for c in sorted(set(req.special_categories))],
        "criminal_offence_data": req.criminal_offence_data,
        "lawful_basis": LAWFUL_BASES.get(req.lawful_basis, clean_text(_human(req.lawful_basis))),
        "justification": clean_text(req.lawful_basis_justification),
        "conditions": _conditions(req),
        "dpia_required": req.dpia_required,
        "dpia_outcome": _human(req.dpia_outcome) if req.dpia_outcome else "pending",
        "security_method": clean_text(req.security_method),
        "review_schedule": [clean_text(r) for r in req.review_schedule],
    }


def render_body(req: AgreementRequest) -> str:
    """The agreement's content as an HTML fragment (also what the PDF is made from)."""
    return render("agreement_body.html", **agreement_context(req))


def render_agreement(req: AgreementRequest) -> str:
    """The agreement as a standalone HTML document, deterministic for a given request."""
    return render(
        "agreement.html",
        title=clean_text(req.title),
        version=req.version,
        body=Markup(render_body(req)),
    )


def render_agreement_pdf(req: AgreementRequest, html_sha256: str) -> bytes:
    """The same version as PDF; its footer names the HTML document that is signed."""
    title = f"Information Sharing Agreement: {clean_text(req.title)}"
    return html_to_pdf(
        render_body(req),
        title=title,
        subject=f"{req.proposal_id} version {req.version}",
        footer=f"{req.proposal_id}, version {req.version}. The signed text is the HTML "
        f"document with SHA-256 {html_sha256}.",
    )


def agreement_path(proposal_id: str, version: int, suffix: str = ".html") -> Path:
    return get_settings().documents_dir / proposal_id / f"agreement-v{version}{suffix}"


@activity.defn(name="draft_agreement")
def draft_agreement(req: AgreementRequest) -> AgreementDraft:
    """Render version `req.version` of the agreement, store it and register it.

    Idempotent: the same request gives the same files, hashes and single register row. A
    version already registered with different content is refused (not retried), and its
    files are left untouched.
    """
    if not SAFE_ID.fullmatch(req.proposal_id) or ".." in req.proposal_id:
        raise ApplicationError(
            f"proposal id {req.proposal_id!r} is not usable as a directory name",
            type="InvalidAgreementRequest",
            non_retryable=True,
        )
    if req.version < 1:
        raise ApplicationError(
            f"agreement version must be at least 1, not {req.version}",
            type="InvalidAgreementRequest",
            non_retryable=True,
        )
    html = render_agreement(req).encode("utf-8")
    sha256 = sha256_of(html)
    html_path = agreement_path(req.proposal_id, req.version).resolve()
    pdf_path = agreement_path(req.proposal_id, req.version, ".pdf").resolve()
    uri = html_path.as_uri()

    def conflict(existing: str) -> ApplicationError:
        return ApplicationError(
            f"agreement version {req.version} of {req.proposal_id} is already registered "
            f"with different content (sha256 {existing}); draft a new version instead",
            type="AgreementVersionConflict",
            non_retryable=True,
        )

    with session_scope() as session:
        row = session.get(AgreementRow, (req.proposal_id, req.version))
        if row is not None and row.sha256 != sha256:
            raise conflict(row.sha256)
        write_atomically(html_path, html)
        # A retry keeps the PDF already registered for this version, if it is intact.
        pdf = _registered_pdf(row)
        if pdf is None:
            data = render_agreement_pdf(req, sha256)
            write_atomically(pdf_path, data)
            pdf = (pdf_path.as_uri(), sha256_of(data))
        added = insert_or_ignore(
            session,
            AgreementRow,
            [
                {
                    "proposal_id": req.proposal_id,
                    "version": req.version,
                    "sha256": sha256,
                    "uri": uri,
                    "pdf_uri": pdf[0],
                    "pdf_sha256": pdf[1],
                    "created_at": utcnow(),
                }
            ],
            ["proposal_id", "version"],
        )
        if not added:
            # Registered before (or concurrently): same content, and the PDF row current.
            row = session.get(AgreementRow, (req.proposal_id, req.version))
            if row is not None and row.sha256 != sha256:
                raise conflict(row.sha256)
            if row is not None and (row.pdf_uri, row.pdf_sha256) != pdf:
                row.pdf_uri, row.pdf_sha256 = pdf
    log.info(
        "agreement.drafted",
        proposal_id=req.proposal_id,
        version=req.version,
        sha256=sha256,
        pdf_sha256=pdf[1],
        registered=bool(added),
    )
    return AgreementDraft(
        version=req.version, sha256=sha256, uri=uri, pdf_uri=pdf[0], pdf_sha256=pdf[1]
    )


def _registered_pdf(row: AgreementRow | None) -> tuple[str, str] | None:
    """The registered PDF of `row` as (uri, sha256), if its file still has that hash."""
    if row is None or not row.pdf_uri or not row.pdf_sha256:
        return None
    try:
        data = path_of(row.pdf_uri).read_bytes()
    except (ValueError, OSError):
        return None
    return (row.pdf_uri, row.pdf_sha256) if sha256_of(data) == row.pdf_sha256 else None
