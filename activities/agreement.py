"""Draft the information sharing agreement (PROTOCOL.md 2.8, section 9 of the protocol).

The text follows the headings of the ICO Data Sharing Code of Practice. It is a pure
function of the request (no dates or times in it), so the same request always gives the
same bytes and SHA-256: the hash is what every signatory signs.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.files import write_atomically
from database.dml import insert_or_ignore
from database.models import AgreementRow, utcnow
from database.session import session_scope
from settings import get_settings
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


def _text(value: str) -> str:
    """Free text as given, with line endings and trailing spaces normalised."""
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def _human(value: str) -> str:
    return value.replace("_", " ")


def _article9(value: str) -> str:
    letter = value.strip().lower()
    match = re.fullmatch(r"(?:art(?:icle)?\s*)?(?:9\s*\(2\)\s*)?\(?([a-j])\)?", letter)
    if match:
        key = match.group(1)
        return f"UK GDPR Article 9(2)({key}): {ARTICLE9_CONDITIONS[key]}"
    return _text(value)


def _conditions(req: AgreementRequest) -> list[str]:
    condition = req.special_category_condition or {}
    lines: list[str] = []
    if req.special_categories or condition.get("article9"):
        article9 = condition.get("article9")
        lines.append(
            f"- Special category condition: {_article9(article9)}"
            if article9
            else "- Special category condition: to be confirmed by Information Rights (7.3)"
        )
        if condition.get("schedule1"):
            lines.append(
                "- Data Protection Act 2018, Schedule 1 condition: "
                + _text(condition["schedule1"] or "")
            )
    if req.criminal_offence_data or condition.get("article10_schedule1"):
        article10 = condition.get("article10_schedule1")
        lines.append(
            "- Criminal offence data (UK GDPR Article 10), Data Protection Act 2018 "
            f"Schedule 1 condition: {_text(article10)}"
            if article10
            else "- Criminal offence data (UK GDPR Article 10): condition to be confirmed by "
            "Information Rights"
        )
    if condition.get("reason"):
        lines.append(f"- Reasons: {_text(condition['reason'] or '')}")
    known = {"article9", "schedule1", "article10_schedule1", "reason"}
    for key in sorted(set(condition) - known):
        if condition[key]:
            lines.append(f"- {_human(key).capitalize()}: {_text(condition[key] or '')}")
    return lines


def render_agreement(req: AgreementRequest) -> str:
    """The agreement's text (Markdown), deterministic for a given request."""
    parties = list(dict.fromkeys(req.parties))
    basis = LAWFUL_BASES.get(req.lawful_basis, _human(req.lawful_basis))
    out: list[str] = [
        f"# Information Sharing Agreement: {_text(req.title)}",
        "",
        f"Proposal: {req.proposal_id}",
        f"Version: {req.version}",
        "",
        "Made under the PHSO Information Sharing Protocol (section 9), following the "
        "ICO Data Sharing Code of Practice.",
        "",
        "## 1. Purpose of the sharing",
        "",
        _text(req.purpose),
        "",
        "The shared data is used only for this purpose. Any other use needs a new or "
        "amended agreement.",
        "",
        "## 2. Parties",
        "",
        *(f"- {party}" for party in parties),
        "",
        "Each party is a controller of the personal data it holds, and is responsible for "
        "its own compliance with UK GDPR and the Data Protection Act 2018.",
        "",
        "## 3. Data items to be shared",
        "",
        "Personal data needed for the purpose in section 1, and no more: only what is "
        "necessary, the least identifying form that serves the purpose, accurate and up "
        "to date (protocol 4.4, 4.9, 4.10).",
    ]
    if req.volume is not None or req.frequency:
        out.append("")
    if req.volume is not None:
        out.append(f"- Estimated volume: {req.volume} records")
    if req.frequency:
        out.append(f"- Frequency: shared {FREQUENCIES.get(req.frequency, _human(req.frequency))}")
    out += ["", "### Special category and criminal offence data", ""]
    if req.special_categories:
        out.append("Special category data (UK GDPR Article 9):")
        out.extend(f"- {_human(category)}" for category in sorted(set(req.special_categories)))
    else:
        out.append("No special category data is shared.")
    out.append("")
    out.append(
        "Criminal offence data (UK GDPR Article 10) is shared."
        if req.criminal_offence_data
        else "No criminal offence data is shared."
    )
    out += [
        "",
        "## 4. Lawful basis and conditions",
        "",
        f"- Lawful basis: {basis}",
        f"- Justification: {_text(req.lawful_basis_justification)}",
        *_conditions(req),
        "",
        "## 5. Data protection impact assessment",
        "",
    ]
    if req.dpia_required:
        outcome = _human(req.dpia_outcome) if req.dpia_outcome else "pending"
        out.append(f"A DPIA was required (protocol 6.4). DPO outcome: {outcome}.")
    else:
        out.append(
            "DPIA screening found no DPIA required (protocol 6.3); the reasons are recorded "
            "in the proposal's timeline."
        )
    out += [
        "",
        "## 6. Individuals' rights",
        "",
        "Individuals are told about this sharing through each party's privacy notice "
        "(UK GDPR Articles 13 and 14). A party that receives a request to exercise a right "
        "(access, rectification, erasure, restriction, objection) about the shared data "
        "deals with it for the data it holds, and promptly tells the other parties where "
        "they are affected.",
        "",
        "## 7. Security",
        "",
        f"- Transfer method: {_text(req.security_method)}",
        "",
        "Each party keeps the shared data secure (UK GDPR Article 32), with access limited "
        "to those who need it for the purpose. A personal data breach involving the shared "
        "data is reported to the other parties without undue delay, and to the ICO within "
        "72 hours where required (Article 33).",
        "",
        "## 8. Retention and destruction",
        "",
        "Each party keeps the shared data no longer than the purpose needs, in line with "
        "its retention schedule, then destroys it securely and confirms the destruction to "
        "PHSO at review and on termination.",
        "",
        "## 9. Review schedule",
        "",
        "Reviews are counted from the date the last party signs (protocol 10.1):",
        *(f"- {_text(item)}" for item in req.review_schedule),
        "",
        "A failed check leads to remediation, and the sharing may be suspended.",
        "",
        "## 10. Termination",
        "",
        "Any party may end this agreement by notice to the others. PHSO's Information "
        "Rights team or DPO may suspend or terminate the sharing at any time. On "
        "termination the shared data is kept or destroyed as in section 8; the agreement "
        "ends once destruction is confirmed.",
        "",
        "## 11. Signatures",
        "",
        "One signatory per party signs this version, identified by its SHA-256, with the "
        "`sign` message; signatures are recorded in the proposal's timeline.",
        "",
        *(
            f"- {party}: name ____________  job title ____________  date ____________"
            for party in parties
        ),
    ]
    return "\n".join(out) + "\n"


def agreement_path(proposal_id: str, version: int) -> Path:
    return get_settings().documents_dir / proposal_id / f"agreement-v{version}.md"


@activity.defn(name="draft_agreement")
def draft_agreement(req: AgreementRequest) -> AgreementDraft:
    """Render version `req.version` of the agreement, store it and register it.

    Idempotent: the same request gives the same file, hash and single register row. A
    version already registered with different content is refused (not retried), and its
    file is left untouched.
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
    data = render_agreement(req).encode("utf-8")
    sha256 = hashlib.sha256(data).hexdigest()
    path = agreement_path(req.proposal_id, req.version).resolve()
    uri = path.as_uri()

    def conflict(existing: str) -> ApplicationError:
        return ApplicationError(
            f"agreement version {req.version} of {req.proposal_id} is already registered "
            f"with different content (sha256 {existing}); draft a new version instead",
            type="AgreementVersionConflict",
            non_retryable=True,
        )

    with session_scope() as session:
        existing = session.get(AgreementRow, (req.proposal_id, req.version))
        if existing is not None and existing.sha256 != sha256:
            raise conflict(existing.sha256)
        write_atomically(path, data)
        added = insert_or_ignore(
            session,
            AgreementRow,
            [
                {
                    "proposal_id": req.proposal_id,
                    "version": req.version,
                    "sha256": sha256,
                    "uri": uri,
                    "created_at": utcnow(),
                }
            ],
            ["proposal_id", "version"],
        )
        if not added and existing is None:
            # Registered concurrently: make sure it is the same content.
            row = session.get(AgreementRow, (req.proposal_id, req.version))
            if row is not None and row.sha256 != sha256:
                raise conflict(row.sha256)
    log.info(
        "agreement.drafted",
        proposal_id=req.proposal_id,
        version=req.version,
        sha256=sha256,
        registered=bool(added),
    )
    return AgreementDraft(version=req.version, sha256=sha256, uri=uri)
