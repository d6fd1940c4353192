"""The intake form (PROTOCOL.md 2.1): its questions in plain words, and reading an answer.

The form posts flat fields (`title`, `recipients-0-name`, `personal_data` = yes/no, ...).
`read_answers` keeps exactly what the caseworker typed, so a page with errors shows it
again; `validate` turns the answers into an `Intake` or an error per field, in words a
caseworker can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from states.intake import (
    Frequency,
    Intake,
    Location,
    RecipientKind,
    RequestType,
    SpecialCategory,
    SpecifiedInLaw,
)

MAX_RECIPIENTS = 50
NO_LAW = "none"


@dataclass(frozen=True)
class Question:
    label: str
    hint: str
    clause: str
    # value -> words; empty for free text and yes/no questions
    choices: tuple[tuple[str, str], ...] = ()
    # What to say when it is left unanswered.
    missing: str = ""


def _choices(words: dict[Any, str]) -> tuple[tuple[str, str], ...]:
    return tuple((str(value), text) for value, text in words.items())


YES_NO = (("yes", "Yes"), ("no", "No"))

QUESTIONS: dict[str, Question] = {
    "imminent_risk_of_harm": Question(
        "Is anyone at imminent risk of harming themselves or others?",
        "If so, call 999 now, before anything else, and refer the matter to Data, Security "
        "and Privacy through the Helphub.",
        "4.3",
        YES_NO,
        "Say whether anyone is at imminent risk of harm",
    ),
    "title": Question(
        "A short title for this sharing",
        "How colleagues and the register will know it, e.g. \u201cJoint investigation with "
        "LGSCO\u201d. No names of the people concerned.",
        "4.14",
        missing="Enter a short title",
    ),
    "purpose": Question(
        "Why do you want to share this information?",
        "What the partner will do with it and why sharing it is necessary. Describe the "
        "kind of information, not the people it is about.",
        "4.4",
        missing="Say why you want to share this information",
    ),
    "recipients": Question(
        "Who will receive it?",
        "Each organisation you would share with. The protocol covers public bodies in Great "
        "Britain and Northern Ireland, not private individuals, private firms or agents "
        "acting for them such as solicitors.",
        "1.1, 2.1",
        missing="Add at least one organisation",
    ),
    "recipient_name": Question(
        "Organisation name", "", "", missing="Enter the organisation\u2019s name"
    ),
    "recipient_kind": Question(
        "What kind of organisation is it?",
        "",
        "2.1",
        _choices(
            {
                RecipientKind.public_body: "A public body",
                RecipientKind.private_individual: "A private individual",
                RecipientKind.private_firm: "A private firm",
                RecipientKind.agent_of_private_party: "An agent acting for a private party "
                "(e.g. a solicitor)",
            }
        ),
        "Choose what kind of organisation it is",
    ),
    "recipient_location": Question(
        "Where is it?",
        "",
        "1.1",
        _choices(
            {
                Location.england: "England",
                Location.wales: "Wales",
                Location.scotland: "Scotland",
                Location.northern_ireland: "Northern Ireland",
                Location.outside_uk: "Outside the UK",
            }
        ),
        "Choose where the organisation is",
    ),
    "personal_data": Question(
        "Is any of the information personal data?",
        "Information about a living person who can be identified from it. The protocol "
        "covers personal data only.",
        "2.2",
        YES_NO,
        "Say whether any of it is personal data",
    ),
    "anonymised": Question(
        "Will it be fully anonymised before it is shared?",
        "So that nobody can be identified from it, or from it together with other "
        "information the partner holds.",
        "2.3, 4.10",
        YES_NO,
        "Say whether it will be anonymised",
    ),
    "special_categories": Question(
        "Does it include any special category data?",
        "Tick every kind it includes; tick none if it includes none.",
        "7.1",
        _choices(
            {
                SpecialCategory.racial_or_ethnic_origin: "Racial or ethnic origin",
                SpecialCategory.political_opinions: "Political opinions",
                SpecialCategory.religious_or_philosophical_beliefs: "Religious or "
                "philosophical beliefs",
                SpecialCategory.trade_union_membership: "Trade union membership",
                SpecialCategory.genetic: "Genetic data",
                SpecialCategory.biometric: "Biometric data used to identify someone",
                SpecialCategory.health: "Health, including medical records",
                SpecialCategory.sex_life: "Sex life",
                SpecialCategory.sexual_orientation: "Sexual orientation",
            }
        ),
    ),
    "criminal_offence_data": Question(
        "Does it include information about criminal offences or convictions?",
        "Criminal offence data needs a condition in law, like special category data.",
        "UK GDPR Art 10; 7.3",
        YES_NO,
        "Say whether it includes criminal offence data",
    ),
    "volume": Question(
        "About how many records will be shared?",
        "An estimate, in records (people or cases) each time. Small volumes shared now and "
        "then can go by encrypted email.",
        "8.1",
        missing="Enter an estimate of the number of records, e.g. 250",
    ),
    "frequency": Question(
        "How often will it be shared?",
        "Regular sharing needs an information sharing agreement.",
        "3.1",
        _choices(
            {
                Frequency.one_off: "Once",
                Frequency.occasional: "Occasionally",
                Frequency.regular: "Regularly",
            }
        ),
        "Choose how often it will be shared",
    ),
    "request_type": Question(
        "What kind of request is this?",
        "Subject access and freedom of information requests, and material evidence for "
        "complainants, go to the Information Rights team instead; payment and financial "
        "information is not covered.",
        "2.2, 2.4",
        _choices(
            {
                RequestType.proactive_share: "PHSO proposing to share information",
                RequestType.subject_access_request: "A subject access request",
                RequestType.foi_request: "A freedom of information request",
                RequestType.material_evidence_to_complainant: "Material evidence for a complainant",
                RequestType.financial_information: "Payment or financial information",
            }
        ),
        "Choose what kind of request this is",
    ),
    "specified_in_law": Question(
        "Is this sharing expected or specified in law?",
        "If it is, an information sharing agreement is usually not needed.",
        "3.3",
        (
            (NO_LAW, "No"),
            *_choices(
                {
                    SpecifiedInLaw.emergency_services: "Yes: reporting to the emergency services",
                    SpecifiedInLaw.organisation_under_investigation: "Yes: with an "
                    "organisation we are investigating",
                    SpecifiedInLaw.formal_inquiry: "Yes: to a formal inquiry",
                    SpecifiedInLaw.hmrc_tax: "Yes: tax information to HMRC",
                    SpecifiedInLaw.other_statutory: "Yes: another statutory duty",
                }
            ),
        ),
        "Choose whether the sharing is expected or specified in law",
    ),
    "onward_use_controls": Question(
        "Do you need to control what the partner does with it afterwards?",
        "For example limits on who sees it, or on passing it on.",
        "3.1",
        YES_NO,
        "Say whether you need to control its onward use",
    ),
    "business_critical": Question(
        "Is the sharing needed for a business-critical process?",
        "",
        "3.1",
        YES_NO,
        "Say whether the sharing is business critical",
    ),
    "maintained_technology": Question(
        "Does it rely on technology that needs maintenance and monitoring?",
        "For example an automated feed or a shared system.",
        "3.1",
        YES_NO,
        "Say whether it relies on technology needing maintenance",
    ),
}

YES_NO_FIELDS: tuple[str, ...] = tuple(name for name, q in QUESTIONS.items() if q.choices == YES_NO)
CHOICE_FIELDS: tuple[str, ...] = ("frequency", "request_type", "specified_in_law")
TEXT_FIELDS: tuple[str, ...] = ("title", "purpose", "volume")
# The form's fields in the order the page shows them (for the error summary).
FIELD_ORDER: tuple[str, ...] = (
    "imminent_risk_of_harm",
    "title",
    "purpose",
    "recipients",
    "personal_data",
    "anonymised",
    "special_categories",
    "criminal_offence_data",
    "volume",
    "frequency",
    "request_type",
    "specified_in_law",
    "onward_use_controls",
    "business_critical",
    "maintained_technology",
)

_RECIPIENT_KEY = re.compile(r"^recipients-(\d{1,6})-(name|kind|location)$")
_MAX_TEXT = 20_000


@dataclass
class Answers:
    """What the caseworker entered, as typed (strings), for showing the form again."""

    values: dict[str, str] = field(default_factory=dict)
    special_categories: list[str] = field(default_factory=list)
    recipients: list[dict[str, str]] = field(default_factory=lambda: [blank_recipient()])

    @property
    def imminent_risk(self) -> bool:
        return self.values.get("imminent_risk_of_harm") == "yes"


def blank_recipient() -> dict[str, str]:
    return {"name": "", "kind": "", "location": ""}


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value[:_MAX_TEXT] if isinstance(value, str) else ""


def read_answers(form: FormData) -> Answers:
    """The answers in a posted form; unknown fields are ignored."""
    answers = Answers(recipients=[])
    for name in (*TEXT_FIELDS, *YES_NO_FIELDS, *CHOICE_FIELDS):
        answers.values[name] = _text(form, name).strip() if name != "purpose" else _text(form, name)
    answers.special_categories = [
        v for v in form.getlist("special_categories") if isinstance(v, str)
    ]
    rows: dict[int, dict[str, str]] = {}
    for key in form:
        match = _RECIPIENT_KEY.match(key)
        if match:
            row = rows.setdefault(int(match[1]), blank_recipient())
            row[match[2]] = _text(form, key).strip()
    answers.recipients = [rows[i] for i in sorted(rows)] or [blank_recipient()]
    return answers


@dataclass
class Outcome:
    intake: Intake | None
    errors: dict[str, str]


def _field_id(loc: tuple[int | str, ...]) -> str:
    if loc and loc[0] == "recipients" and len(loc) >= 3 and isinstance(loc[1], int):
        return f"recipients-{loc[1]}-{loc[2]}"
    return str(loc[0]) if loc else "form"


def _question_for(field_id: str) -> Question | None:
    match = _RECIPIENT_KEY.match(field_id)
    if match:
        return QUESTIONS[f"recipient_{match[2]}"]
    return QUESTIONS.get(field_id)


def _message(field_id: str, error: Any) -> str:
    """A pydantic error in words a caseworker can act on."""
    kind = error["type"]
    question = _question_for(field_id)
    ctx = error.get("ctx") or {}
    if kind in ("missing", "string_too_short", "too_short") and question and question.missing:
        return question.missing
    if kind in ("string_too_long", "too_long"):
        limit = ctx.get("max_length")
        what = question.label if question else "This"
        return (
            f"{what}: at most {limit} {'characters' if kind == 'string_too_long' else ''}".strip()
        )
    if kind in ("greater_than_equal", "less_than_equal") and field_id == "volume":
        return "Enter a number of records from 0 to 1,000,000,000"
    text = str(error["msg"])
    return text.removeprefix("Value error, ")[:1].upper() + text.removeprefix("Value error, ")[1:]


def validate(answers: Answers, caseworker: str) -> Outcome:
    """The intake the answers describe, or an error message per field id."""
    errors: dict[str, str] = {}
    data: dict[str, Any] = {"caseworker": caseworker}
    values = answers.values

    for name in ("title", "purpose"):
        if values.get(name, "").strip():
            data[name] = values[name].strip()
        else:
            errors[name] = QUESTIONS[name].missing
    for name in YES_NO_FIELDS:
        value = values.get(name, "")
        if value in ("yes", "no"):
            data[name] = value == "yes"
        else:
            errors[name] = QUESTIONS[name].missing if not value else "Choose yes or no"
    for name in CHOICE_FIELDS:
        value = values.get(name, "")
        allowed = {v for v, _ in QUESTIONS[name].choices}
        if value in allowed:
            data[name] = None if value == NO_LAW else value
        else:
            errors[name] = QUESTIONS[name].missing if not value else "Choose one of the options"
    volume = values.get("volume", "").replace(",", "").replace(" ", "")
    if not volume:
        errors["volume"] = QUESTIONS["volume"].missing
    elif not volume.isdigit():
        errors["volume"] = "Enter the number of records as a whole number, e.g. 250"
    else:
        data["volume"] = int(volume)
    allowed_categories = {v for v, _ in QUESTIONS["special_categories"].choices}
    unknown = [c for c in answers.special_categories if c not in allowed_categories]
    if unknown:
        errors["special_categories"] = "Tick only the categories listed"
    else:
        data["special_categories"] = answers.special_categories

    recipients = [r for r in answers.recipients if any(r.values())]
    if not recipients:
        errors["recipients-0-name"] = QUESTIONS["recipients"].missing
    elif len(recipients) > MAX_RECIPIENTS:
        errors["recipients"] = f"At most {MAX_RECIPIENTS} organisations"
    else:
        data["recipients"] = recipients
        for i, row in enumerate(recipients):
            for part in ("name", "kind", "location"):
                key, question = f"recipients-{i}-{part}", QUESTIONS[f"recipient_{part}"]
                if not row[part].strip():
                    errors[key] = question.missing
                elif question.choices and row[part] not in {v for v, _ in question.choices}:
                    errors[key] = "Choose one of the options"
        answers.recipients = recipients

    try:
        intake = Intake.model_validate(data)
    except ValidationError as err:
        for error in err.errors():
            field_id = _field_id(tuple(error["loc"]))
            if field_id == "caseworker":
                errors["form"] = f"You ({caseworker}) cannot propose: {error['msg']}"
            elif field_id not in errors and not _covered(field_id, errors):
                errors[field_id] = _message(field_id, error)
        return Outcome(None, errors)
    if errors:
        return Outcome(None, errors)
    return Outcome(intake, {})


def _covered(field_id: str, errors: dict[str, str]) -> bool:
    """True if a field's error is already shown (a missing field pre-checked above)."""
    return field_id in ("recipients",) and any(k.startswith("recipients-") for k in errors)


def ordered_errors(errors: dict[str, str]) -> list[tuple[str, str]]:
    """(field id, message) in the order of the page, for the error summary."""

    def position(field_id: str) -> tuple[int, str]:
        base = "recipients" if field_id.startswith("recipients") else field_id
        index = FIELD_ORDER.index(base) if base in FIELD_ORDER else -1
        return index, field_id

    return sorted(errors.items(), key=lambda item: position(item[0]))


def anchor(field_id: str) -> str:
    """The id of the control an error summary link focuses."""
    if field_id in YES_NO_FIELDS:
        return f"{field_id}-yes"
    if field_id in ("frequency", "request_type", "specified_in_law", "special_categories"):
        return f"{field_id}-0"
    if field_id == "recipients":
        return "recipients-0-name"
    return field_id
