"""Signing (states/proposal/signing.py; PROTOCOL.md 2.8)."""

from __future__ import annotations

from datetime import timedelta

from states import rules
from states.types import AgreementDraft
from tests import people
from tests.states.proposal.helpers import SHA, Walk, reached


def test_a_stale_draft_signature_is_refused_naming_the_current_sha() -> None:
    walk = reached("signing")
    current = walk.p.data.agreement.sha256  # type: ignore[union-attr]
    stale = "b" * 64
    text = walk.refused(
        "sign",
        people.SIGNATORY_PHSO,
        party="PHSO",
        name="A",
        job_title="Director",
        document_sha256=stale,
    )
    assert "stale or unknown draft" in text
    assert current in text
    assert "version 1" in text


def test_a_signatory_of_another_organisation_is_refused() -> None:
    walk = reached("signing")
    sha = walk.p.data.agreement.sha256  # type: ignore[union-attr]
    text = walk.refused(
        "sign",
        people.SIGNATORY_CQC,
        party="LGSCO",
        name="C",
        job_title="Chief",
        document_sha256=sha,
    )
    assert "signs for CQC, not for LGSCO" in text
    text = walk.refused(
        "sign",
        people.SIGNATORY_LGSCO,
        party="PHSO",
        name="C",
        job_title="Chief",
        document_sha256=sha,
    )
    assert "signs for LGSCO, not for PHSO" in text


def test_only_parties_sign_and_each_once() -> None:
    walk = reached("signing")
    sha = walk.p.data.agreement.sha256  # type: ignore[union-attr]
    text = walk.refused(
        "sign", people.SIGNATORY_CQC, party="CQC", name="C", job_title="Chief", document_sha256=sha
    )
    assert "'CQC' is not a party" in text
    assert walk.sign("PHSO")
    assert walk.p.unsigned_parties() == ["LGSCO"]
    assert walk.p.awaiting() == [{"message": "sign", "roles": ["signatory"], "parties": ["LGSCO"]}]
    text = walk.refused(
        "sign",
        people.SIGNATORY_PHSO,
        party="PHSO",
        name="Someone Else",
        job_title="Director",
        document_sha256=sha,
    )
    assert "PHSO has already signed this version" in text


def test_signing_waits_for_the_draft() -> None:
    walk = Walk(auto_draft=False).to_signing()
    assert walk.p.data.agreement is None
    assert walk.p.awaiting() == []
    text = walk.refused(
        "sign", people.SIGNATORY_PHSO, party="PHSO", name="A", job_title="D", document_sha256=SHA
    )
    assert "still being prepared" in text
    request = walk.p.agreement_request()
    assert request is not None and request.version == 1
    assert request.parties == ["PHSO", "LGSCO"]
    assert request.security_method == "SFTP with PGP"
    # a draft of another version (the proposal moved on) is ignored
    walk.p.agreement_drafted(AgreementDraft(version=7, sha256=SHA, uri="https://x"), walk.now)
    assert walk.p.data.agreement is None
    walk.draft()
    assert walk.p.agreement_request() is None
    walk.sign_all()
    assert walk.state == "active"


def test_launch_starts_the_review_clock_at_the_last_signature() -> None:
    walk = reached("signing")
    walk.sign("PHSO")
    walk.tick(timedelta(days=3))
    walk.sign("LGSCO")
    d = walk.p.data
    assert d.launched_at == walk.now
    assert d.next_review_due == rules.review_due_at(walk.now, 1)
