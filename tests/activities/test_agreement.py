"""draft_agreement: the text, the file, the register row; idempotent."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from sqlalchemy import select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.agreement import draft_agreement, render_agreement
from database.models import AgreementRow
from database.session import session_scope
from settings import Settings
from states.types import AgreementRequest

REVIEWS = [
    "1 month: data received; secure; adequate, limited and relevant",
    "3 months: secure (suggest penetration testing); adequate, limited and relevant",
    "6 months: adequate, limited and relevant; expected benefits realised",
    "12 months and annually: all checks, and whether the ISA needs refreshing",
]


def agreement_request(**overrides: object) -> AgreementRequest:
    fields: dict[str, object] = {
        "proposal_id": "isp-a1",
        "version": 1,
        "title": "Joint investigation with LGSCO",
        "purpose": "Share complainant details for a joint health and social care investigation",
        "parties": ["PHSO", "LGSCO"],
        "special_categories": ["health"],
        "criminal_offence_data": False,
        "lawful_basis": "public_task",
        "lawful_basis_justification": "Section 33 of the Health Service Commissioners Act 1993",
        "special_category_condition": {
            "article9": "g",
            "schedule1": "paragraph 6, statutory and government purposes",
            "reason": "joint statutory investigation",
        },
        "dpia_required": True,
        "dpia_outcome": "approved",
        "security_method": "Egress encrypted email",
        "review_schedule": REVIEWS,
        "volume": 250,
        "frequency": "regular",
    }
    fields.update(overrides)
    return AgreementRequest.model_validate(fields)


def path_of(uri: str) -> Path:
    parsed = urlparse(uri)
    assert parsed.scheme == "file"
    return Path(unquote(parsed.path))


def registered() -> list[tuple[str, int, str, str]]:
    with session_scope() as session:
        rows = session.scalars(
            select(AgreementRow).order_by(AgreementRow.proposal_id, AgreementRow.version)
        )
        return [(r.proposal_id, r.version, r.sha256, r.uri) for r in rows]


def test_text_follows_the_ico_code() -> None:
    text = render_agreement(agreement_request())
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## 1. Purpose of the sharing",
        "## 2. Parties",
        "## 3. Data items to be shared",
        "## 4. Lawful basis and conditions",
        "## 5. Data protection impact assessment",
        "## 6. Individuals' rights",
        "## 7. Security",
        "## 8. Retention and destruction",
        "## 9. Review schedule",
        "## 10. Termination",
        "## 11. Signatures",
    ]
    assert "### Special category and criminal offence data" in text
    assert "- PHSO\n- LGSCO\n" in text
    assert "UK GDPR Article 6(1)(e): public task" in text
    assert "Section 33 of the Health Service Commissioners Act 1993" in text
    assert "UK GDPR Article 9(2)(g): reasons of substantial public interest" in text
    assert "Schedule 1 condition: paragraph 6" in text
    assert "- health" in text
    assert "Egress encrypted email" in text
    assert "DPO outcome: approved" in text
    for review in REVIEWS:
        assert f"- {review}" in text
    signatures = text.split("## 11. Signatures", 1)[1]
    assert signatures.count("name ____") == 2
    assert "- PHSO: name" in signatures
    assert "- LGSCO: name" in signatures
    assert render_agreement(agreement_request()) == text  # deterministic


def test_text_without_special_category_data() -> None:
    text = render_agreement(
        agreement_request(
            special_categories=[],
            special_category_condition=None,
            criminal_offence_data=True,
            dpia_required=False,
            dpia_outcome=None,
            lawful_basis="legal_obligation",
        )
    )
    assert "No special category data is shared." in text
    assert "Criminal offence data (UK GDPR Article 10) is shared." in text
    assert "condition to be confirmed by Information Rights" in text
    assert "Article 6(1)(c): legal obligation" in text
    assert "no DPIA required" in text


def test_draft_twice_gives_one_file_one_row(infoshare_env: Settings) -> None:
    req = agreement_request()
    env = ActivityEnvironment()
    first = env.run(draft_agreement, req)
    second = env.run(draft_agreement, req)
    assert first == second
    path = path_of(first.uri)
    assert path.is_absolute()
    expected = (infoshare_env.documents_dir / "isp-a1" / "agreement-v1.md").resolve()
    assert path == expected
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == first.sha256
    assert data.decode() == render_agreement(req)
    assert registered() == [("isp-a1", 1, first.sha256, first.uri)]
    assert [p.name for p in path.parent.iterdir()] == ["agreement-v1.md"]  # no temp files

    # The file lost but the row kept: a retry writes it again.
    path.unlink()
    assert draft_agreement(req) == first
    assert path.read_bytes() == data


def test_new_version(infoshare_env: Settings) -> None:
    v1 = draft_agreement(agreement_request())
    v2 = draft_agreement(agreement_request(version=2, security_method="SFTP"))
    assert v1.sha256 != v2.sha256
    assert path_of(v2.uri).name == "agreement-v2.md"
    assert [(r[1], r[2]) for r in registered()] == [(1, v1.sha256), (2, v2.sha256)]


def test_changed_content_for_a_registered_version_is_refused(infoshare_env: Settings) -> None:
    v1 = draft_agreement(agreement_request())
    before = path_of(v1.uri).read_bytes()
    with pytest.raises(ApplicationError) as excinfo:
        draft_agreement(agreement_request(purpose="Something else"))
    assert excinfo.value.non_retryable
    assert excinfo.value.type == "AgreementVersionConflict"
    assert path_of(v1.uri).read_bytes() == before
    assert [r[2] for r in registered()] == [v1.sha256]


@pytest.mark.parametrize("proposal_id", ["../escape", "a/b", "", ".hidden"])
def test_unsafe_proposal_id_is_refused(infoshare_env: Settings, proposal_id: str) -> None:
    with pytest.raises(ApplicationError) as excinfo:
        draft_agreement(agreement_request(proposal_id=proposal_id))
    assert excinfo.value.non_retryable
    assert registered() == []
