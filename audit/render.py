"""The trail as text, JSON, HTML or PDF: the same sections, in the same order, in each."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from audit.model import Trail

FORMATS = ("text", "json", "html", "pdf")


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


# ----- text --------------------------------------------------------------------------------

_MAX_WIDTH = 34


def _text_table(section: Section) -> list[str]:
    if not section.rows:
        return [f"  ({section.empty})"]
    fixed = len(section.columns) - 1
    widths = [
        min(_MAX_WIDTH, max(len(row[i]) for row in [section.columns, *section.rows]))
        for i in range(fixed)
    ]

    def line(cells: list[str]) -> str:
        head = "  ".join(cells[i].ljust(widths[i]) for i in range(fixed))
        return ("  " + head + "  " + cells[-1]).rstrip()

    return [line([c.upper() for c in section.columns]), *(line(row) for row in section.rows)]


def to_text(trail: Trail) -> str:
    lines = [f"Decision trail of {trail.workflow_id}", ""]
    pad = max(len(k) for k, _ in summary(trail))
    lines += [f"{k.ljust(pad)}  {v}" for k, v in summary(trail)]
    for section in sections(trail):
        lines += ["", f"{section.title} ({len(section.rows)})", *_text_table(section)]
    return "\n".join(lines) + "\n"


# ----- JSON --------------------------------------------------------------------------------


def to_json(trail: Trail) -> str:
    return json.dumps(trail.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


# ----- HTML --------------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1b1b; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; }
th, td { border: 1px solid #ccc; padding: .25rem .4rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; } td { overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; }
dt { font-weight: 600; } .refused, .mismatch { color: #a00; font-weight: 600; }
.warning { color: #8a5a00; font-weight: 600; }
"""


def _cell(text: str) -> str:
    css = ""
    if text in ("REFUSED", "refused", "MISMATCH", "NONE"):
        css = ' class="refused"'
    elif text == "WARNING":
        css = ' class="warning"'
    return f"<td{css}>{html.escape(text)}</td>"


def to_html(trail: Trail) -> str:
    e = html.escape
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Decision trail of {e(trail.workflow_id)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Decision trail of {e(trail.workflow_id)}</h1>",
        "<dl>",
        *(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in summary(trail)),
        "</dl>",
    ]
    for section in sections(trail):
        out.append(f"<h2>{e(section.title)} ({len(section.rows)})</h2>")
        if not section.rows:
            out.append(f"<p>{e(section.empty)}</p>")
            continue
        out.append("<table><thead><tr>")
        out += [f"<th>{e(c)}</th>" for c in section.columns]
        out.append("</tr></thead><tbody>")
        out += ["<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in section.rows]
        out.append("</tbody></table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def render(trail: Trail, fmt: str) -> bytes:
    """The trail in format `fmt` (one of FORMATS), as bytes (UTF-8 for the text ones)."""
    if fmt == "pdf":
        from audit.pdf import to_pdf

        return to_pdf(trail)
    renderers = {"text": to_text, "json": to_json, "html": to_html}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    return renderers[fmt](trail).encode("utf-8")
