"""The trail's sections: the same in every format (text, JSON, HTML, PDF), in one order."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from infoshare.audit.model import Trail


@dataclass
class Section:
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    empty: str = "none"
    # the widths (relative) of the columns in HTML/PDF; the last column takes the rest
    widths: list[int] = field(default_factory=list)


def when(value: datetime | None) -> str:
    if value is None:
        return "-"
    return value.strftime("%Y-%m-%d %H:%M:%S") + "Z"


def _answers(answers: dict[str, Any]) -> str:
    def shown(v: Any) -> str:
        return "yes" if v is True else "no" if v is False else str(v)

    return ", ".join(f"{k} {shown(v)}" for k, v in answers.items())


def summary(trail: Trail) -> list[tuple[str, str]]:
    return [
        ("Proposal", f"{trail.workflow_id} ({trail.workflow_type})"),
        ("Title", trail.title),
        ("Caseworker", trail.caseworker),
        ("Parties", ", ".join(trail.parties)),
        ("Started", when(trail.started_at)),
        ("State", trail.state or "-"),
        ("Outcome", trail.outcome or "-"),
        ("Next review", when(trail.next_review_due)),
        ("Runs", str(len(trail.runs))),
        ("Database", trail.database),
        ("Generated", when(trail.generated_at) + " from the Temporal history alone"),
    ]


def sections(trail: Trail) -> list[Section]:
    findings = Section(
        "Findings",
        ["severity", "source", "finding"],
        [[f.severity.upper(), f.source, f.text] for f in trail.findings],
        empty="none: the history is consistent with itself"
        + (" and with the database" if trail.database.startswith("compared") else ""),
        widths=[18, 18],
    )
    runs = Section(
        "Runs (continue-as-new)",
        ["run", "run id", "started", "ended", "how", "events"],
        [
            [
                str(r.number),
                r.run_id,
                when(r.started_at),
                when(r.ended_at),
                r.ended + (f": {r.detail}" if r.detail else ""),
                str(r.events),
            ]
            for r in trail.runs
        ],
        widths=[8, 55, 26, 26, 110],
    )
    timeline = Section(
        "Timeline: every decision, as the workflow recorded it",
        ["seq", "at", "actor", "message", "accepted", "state", "clauses", "detail"],
        [
            [
                str(d.seq),
                when(d.at),
                d.actor,
                d.message,
                "yes" if d.accepted else "REFUSED",
                d.state,
                ", ".join(d.clauses),
                d.detail,
            ]
            for d in trail.decisions
        ],
        widths=[8, 26, 34, 34, 14, 22, 22],
    )
    messages = Section(
        "Messages received: sender, time, outcome",
        ["at", "via", "message", "actor", "roles", "outcome", "seq", "reason"],
        [
            [
                when(m.at),
                m.via,
                m.message,
                m.actor,
                "-" if m.roles is None else ", ".join(m.roles) or "(none)",
                m.outcome,
                "-" if m.seq is None else str(m.seq),
                m.reason,
            ]
            for m in trail.messages
        ],
        widths=[26, 12, 30, 34, 30, 18, 8],
    )
    agreements = Section(
        "Agreement versions drafted",
        ["version", "drafted", "sha256", "document"],
        [[str(a.version), when(a.drafted_at), a.sha256, a.uri] for a in trail.agreements],
        widths=[14, 26, 100],
    )
    signatures = Section(
        "Signatures",
        ["at", "party", "signatory", "actor", "version", "document sha256"],
        [
            [
                when(s.at),
                s.party,
                f"{s.name} ({s.job_title})",
                s.actor,
                "NONE" if s.version is None else str(s.version),
                s.document_sha256,
            ]
            for s in trail.signatures
        ],
        widths=[26, 18, 45, 34, 14],
    )
    reviews = Section(
        "Reviews",
        ["review", "at", "reviewer", "outcome", "answers"],
        [
            [
                str(r.number),
                when(r.at),
                r.actor,
                r.outcome or "-",
                _answers(r.answers) + (f"; notes: {r.notes}" if r.notes else ""),
            ]
            for r in trail.reviews
        ],
        widths=[12, 26, 34, 34],
    )
    other = Section(
        "Other history: notifications, timers, search attributes, other activities",
        ["at", "run:event", "kind", "name", "detail"],
        [
            [when(o.at), f"{o.where.run}:{o.where.event_id}", o.kind, o.name, o.detail]
            for o in trail.other
        ],
        widths=[26, 16, 24, 30],
    )
    return [findings, runs, timeline, messages, agreements, signatures, reviews, other]
