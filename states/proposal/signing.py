"""Signing and the register (PROTOCOL.md 2.8; protocol 9.1, 4.14, 10.1): the agreement is
drafted, every party signs the same version, the last signature launches it, and the
signed version is published and entered in the information sharing register."""

from __future__ import annotations

from datetime import datetime

from states import rules
from states.machine import IN_FORCE
from states.messages import Sign
from states.proposal.base import ProposalBase, Refusal
from states.proposal.data import Agreement, Signature
from states.types import AgreementDraft, AgreementRequest, Publication, PublishRequest


def check_sign(proposal: ProposalBase, p: Sign) -> None:
    d = proposal.data
    if not proposal.draft_ready or d.agreement is None:
        raise Refusal("sign: the draft agreement is still being prepared; try again shortly")
    if p.party not in proposal.parties:
        raise Refusal(f"sign: {p.party!r} is not a party; the parties are {proposal.parties}")
    if p.document_sha256 != d.agreement.sha256:
        raise Refusal(
            f"sign: document_sha256 names a stale or unknown draft; the current draft is "
            f"version {d.agreement.version} with sha256 {d.agreement.sha256}"
        )
    for s in d.agreement.signed_by:
        if s.party == p.party and (s.actor, s.name, s.job_title) != (
            str(p.actor),
            p.name,
            p.job_title,
        ):
            raise Refusal(f"sign: {p.party} has already signed this version")


def on_sign(proposal: ProposalBase, p: Sign, now: datetime) -> None:
    agreement = proposal.data.agreement
    assert agreement is not None  # checked in check_sign
    if any(s.party == p.party for s in agreement.signed_by):
        return  # identical repeat
    agreement.signed_by.append(
        Signature(
            party=p.party,
            name=p.name,
            job_title=p.job_title,
            actor=str(p.actor),
            at=now,
            document_sha256=p.document_sha256,
        )
    )
    if not proposal.unsigned_parties():
        launch(proposal, now)


def launch(proposal: ProposalBase, now: datetime) -> None:
    d = proposal.data
    proposal.fire("all_signed", now)
    assert d.agreement is not None
    if d.launched_at is None:
        # 10.1: reviews run from the date the last party signed the first version
        d.launched_at = now
        d.next_review_due = rules.review_due_at(now, 1)
    proposal.system_event(
        now,
        "agreement_signed",
        f"all parties signed version {d.agreement.version}; publish and record it in the register",
        ["9.1", "4.14"],
    )


class Signing(ProposalBase):
    """What the workflow asks for the agreement: the draft to write, the version to publish,
    and what it reports back."""

    def needs_draft(self) -> bool:
        return self.state == "signing" and not self.draft_ready

    def agreement_request(self) -> AgreementRequest | None:
        """The draft the proposal needs now, if any."""
        d = self.data
        if not self.needs_draft():
            return None
        basis = d.lawful_basis or {}
        return AgreementRequest(
            proposal_id=d.proposal_id,
            version=d.agreement_version_wanted,
            title=self.intake.title,
            purpose=self.intake.purpose,
            parties=self.parties,
            special_categories=[str(c) for c in self.intake.special_categories],
            criminal_offence_data=self.intake.criminal_offence_data,
            lawful_basis=str(basis.get("basis", "")),
            lawful_basis_justification=str(basis.get("justification", "")),
            special_category_condition=d.special_category_condition,
            dpia_required=bool(d.dpia_required),
            dpia_outcome=d.dpia_outcome,
            security_method=d.security_method or "",
            review_schedule=rules.review_schedule_text(),
            volume=self.intake.volume,
            frequency=str(self.intake.frequency),
        )

    def agreement_drafted(self, draft: AgreementDraft, now: datetime) -> None:
        d = self.data
        if self.state != "signing" or draft.version != d.agreement_version_wanted:
            return  # the proposal moved on while the draft was written
        d.agreement = Agreement(version=draft.version, sha256=draft.sha256, uri=draft.uri)
        self.system_event(
            now,
            "agreement_drafted",
            f"version {draft.version} drafted (sha256 {draft.sha256}); every party "
            "signs this version",
            ["9.1"],
        )

    # ----- publication (9.1, 4.14) ------------------------------------------------------

    def publish_request(self) -> PublishRequest | None:
        """The signed version to publish and enter in the register, once all have signed."""
        d, agreement = self.data, self.data.agreement
        if (
            self.state not in IN_FORCE
            or agreement is None
            or self.unsigned_parties()
            or agreement.version <= max(d.published_version, d.unpublishable_version)
        ):
            return None
        basis = d.lawful_basis or {}
        return PublishRequest(
            proposal_id=d.proposal_id,
            title=self.intake.title,
            purpose=self.intake.purpose,
            parties=self.parties,
            lawful_basis=str(basis.get("basis", "")),
            lawful_basis_justification=str(basis.get("justification", "")),
            special_category_condition=d.special_category_condition,
            special_categories=[str(c) for c in self.intake.special_categories],
            dpia_required=bool(d.dpia_required),
            dpia_outcome=d.dpia_outcome,
            security_method=d.security_method or "",
            version=agreement.version,
            sha256=agreement.sha256,
            uri=agreement.uri,
            signatures=list(agreement.signed_by),
            signed_at=max(s.at for s in agreement.signed_by),
            next_review_due=d.next_review_due,
            state=self.state,
        )

    def agreement_published(self, publication: Publication, version: int, now: datetime) -> None:
        self.data.published_version = version
        self.data.public_path = publication.public_path
        self.system_event(
            now,
            "agreement_published",
            f"signed version {version} published at {publication.public_path} and entered "
            "in the information sharing register",
            ["9.1", "4.14"],
        )

    def publication_failed(self, version: int, why: str, now: datetime) -> None:
        """The signed document could not be published as signed: say so, and stop trying
        for this version (re-signing a new version publishes that one)."""
        self.data.unpublishable_version = version
        self.system_event(
            now,
            "publication_failed",
            f"signed version {version} was not published: {why}",
            ["9.1", "4.14"],
        )
