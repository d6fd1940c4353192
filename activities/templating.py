"""The Jinja2 templates of the documents and emails (package data in `activities/templates`).

HTML templates are autoescaped, so free text from a proposal (a title, a purpose) can never
become markup; plain-text templates (`.txt`) are not escaped. Undefined names are errors.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

# C0/C1 control characters other than tab and newline: never valid in a document.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(value: str) -> str:
    """Free text as given, with line endings and trailing spaces normalised and control
    characters removed."""
    value = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.rstrip() for line in value.split("\n")).strip()


def paragraphs(value: str) -> Markup:
    """Free text as HTML paragraphs: a blank line separates paragraphs, a newline breaks a
    line. Every piece is escaped."""
    blocks = [b for b in re.split(r"\n\s*\n", clean_text(value)) if b.strip()]
    return Markup("\n").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in b.split("\n")))
        for b in blocks
    )


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("activities", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["paragraphs"] = paragraphs
    env.filters["clean"] = clean_text
    return env


def render(template: str, /, **context: Any) -> str:
    return environment().get_template(template).render(**context)
