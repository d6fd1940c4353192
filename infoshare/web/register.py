"""The public information sharing register (4.14): entries and their published files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from activities.files import path_of
from infoshare.database.models import RegisterRow
from infoshare.settings import Settings

# /register/<id>/v<n>, /register/<id>/v<n>.html, /register/<id>/v<n>.pdf
PROPOSAL_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
DOCUMENT = re.compile(r"^v(?P<version>[1-9][0-9]{0,5})(?P<suffix>\.html|\.pdf)?$")


class NotInRegister(Exception):
    """No such entry, version or file: the text says which and where to look instead."""


@dataclass(frozen=True)
class Entry:
    """A register row as the pages show it."""

    proposal_id: str
    title: str
    parties: list[str]
    purpose: str
    lawful_basis: str
    lawful_basis_justification: str
    conditions: dict[str, Any]
    special_categories: list[str]
    dpia_required: bool
    dpia_outcome: str | None
    security_method: str
    version: int
    sha256: str
    public_path: str
    html_uri: str
    pdf_uri: str | None
    pdf_sha256: str | None
    signatures: list[dict[str, Any]]
    signed_at: str
    published_at: str
    next_review_due: str | None
    status: str

    @classmethod
    def of(cls, row: RegisterRow) -> Entry:
        return cls(
            proposal_id=row.proposal_id,
            title=row.title,
            parties=list(row.parties),
            purpose=row.purpose,
            lawful_basis=row.lawful_basis,
            lawful_basis_justification=row.lawful_basis_justification,
            conditions=dict(row.conditions),
            special_categories=list(row.special_categories),
            dpia_required=row.dpia_required,
            dpia_outcome=row.dpia_outcome,
            security_method=row.security_method,
            version=row.version,
            sha256=row.sha256,
            public_path=row.public_path,
            html_uri=row.html_uri,
            pdf_uri=row.pdf_uri,
            pdf_sha256=row.pdf_sha256,
            signatures=list(row.signatures),
            signed_at=row.signed_at.date().isoformat(),
            published_at=row.published_at.date().isoformat(),
            next_review_due=row.next_review_due.date().isoformat() if row.next_review_due else None,
            status=row.status,
        )

    def as_json(self, base_url: str) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k not in ("html_uri", "pdf_uri")}
        data["url"] = base_url + self.public_path
        data["document_url"] = base_url + self.public_path + ".html"
        data["pdf_url"] = base_url + self.public_path + ".pdf" if self.pdf_uri else None
        return data


def entries(*, in_force_only: bool = False) -> list[Entry]:
    from infoshare.database.register import published_agreements
    from infoshare.database.session import session_scope

    with session_scope() as session:
        return [Entry.of(row) for row in published_agreements(session, in_force_only=in_force_only)]


def entry(proposal_id: str, version: int) -> Entry:
    """The register entry of `proposal_id` at `version`; NotInRegister saying why not."""
    from infoshare.database.register import register_entry
    from infoshare.database.session import session_scope

    if not PROPOSAL_ID.match(proposal_id):  # never hand the database a NUL or the like
        raise NotInRegister(f"{proposal_id!r} is not a proposal reference")

    with session_scope() as session:
        row = register_entry(session, proposal_id)
        found = None if row is None else Entry.of(row)
    if found is None:
        raise NotInRegister(f"{proposal_id} has no agreement in the register")
    if found.version != version:
        raise NotInRegister(
            f"version {version} of {proposal_id} is not in the register: its current "
            f"version is v{found.version}, at {found.public_path}"
        )
    return found


def published_file(settings: Settings, item: Entry, suffix: str) -> tuple[Path, str]:
    """The published file of an entry (`.html`: the agreement, `.pdf`: its PDF rendering)
    and its media type. Only files under the documents folder are ever served."""
    uri = item.html_uri if suffix == ".html" else item.pdf_uri
    if not uri:
        raise NotInRegister(
            f"{item.public_path} has no PDF rendering; read {item.public_path}.html"
        )
    try:
        path = path_of(uri).resolve()
    except ValueError:
        raise NotInRegister(f"the document of {item.public_path} is not stored here") from None
    root = settings.documents_dir.resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotInRegister(f"the published file of {item.public_path} is missing")
    if path.suffix == ".pdf":
        return path, "application/pdf"
    if path.suffix in (".html", ".htm"):
        return path, "text/html; charset=utf-8"
    # The agreement drafted as Markdown: shown as text, which every browser displays.
    return path, "text/plain; charset=utf-8"
