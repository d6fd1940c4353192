"""The trail as text, JSON, HTML or PDF: the same sections, in the same order, in each."""

from __future__ import annotations

import html
import json

from infoshare.audit.model import Trail
from infoshare.audit.sections import Section, sections, summary

FORMATS = ("text", "json", "html", "pdf")


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
        from infoshare.audit.pdf import to_pdf

        return to_pdf(trail)
    renderers = {"text": to_text, "json": to_json, "html": to_html}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    return renderers[fmt](trail).encode("utf-8")
