"""Every route's bad input gets a 4xx with a clear message, never a 500, and changes nothing.

Most tests need only the database (Temporal unreachable: those pages say so with a 503);
the few about proposals that must exist or not run against the dev server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import people
from tests.web.conftest import asgi_client, csrf_of, register_row, settings_for, sign_in

# A complete, valid answer to the form: the CONTRACT.md example intake.
VALID: dict[str, str] = {
    "action": "submit",
    "imminent_risk_of_harm": "no",
    "title": "Joint investigation with LGSCO",
    "purpose": "Share complaint details for a joint health and social care investigation",
    "recipients-0-name": "LGSCO",
    "recipients-0-kind": "public_body",
    "recipients-0-location": "england",
    "personal_data": "yes",
    "anonymised": "no",
    "special_categories": "health",
    "criminal_offence_data": "no",
    "volume": "250",
    "frequency": "regular",
    "request_type": "proactive_share",
    "specified_in_law": "none",
    "onward_use_controls": "yes",
    "business_critical": "no",
    "maintained_technology": "no",
}


def errors_on(html: str) -> dict[str, str]:
    """field id -> the error shown next to it."""
    found = re.findall(
        r'class="error-message" id="([^"]+)-error"><span class="visually-hidden">Error:</span> '
        r"([^<]+)</span>",
        html,
    )
    return {field: message.strip() for field, message in found}


def detail(response: httpx.Response) -> str:
    if response.headers.get("content-type", "").startswith("application/json"):
        return str(response.json()["detail"])
    match = re.search(r'data-testid="error-message">(.*?)</p>', response.text, re.S)
    assert match, response.text[:500]
    return match[1]


# ----- sign-in and CSRF -----------------------------------------------------------------


async def test_pages_need_sign_in_and_come_back_after(offline: httpx.AsyncClient) -> None:
    response = await offline.get("/proposals/new")
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/proposals/new"
    assert (await offline.get("/")).headers["location"] == "/proposals/mine"
    api = await offline.get("/api/proposals")
    assert api.status_code == 401 and "sign in" in api.json()["detail"]

    page = await offline.get("/signin?next=/proposals/new")
    assert people.CASEWORKER in page.text
    form = {"csrf_token": csrf_of(page.text), "email": people.CASEWORKER, "next": "/proposals/new"}
    signed = await offline.post("/signin", data=form)
    assert signed.status_code == 303 and signed.headers["location"] == "/proposals/new"
    assert (await offline.get("/api/me")).json()["email"] == people.CASEWORKER


async def test_sign_in_refuses_bad_input(offline: httpx.AsyncClient) -> None:
    page = await offline.get("/signin")
    token = csrf_of(page.text)

    missing = await offline.post("/signin", data={"email": people.CASEWORKER})
    assert missing.status_code == 403 and "missing its security token" in detail(missing)
    forged = await offline.post("/signin", data={"csrf_token": "x" * 43, "email": people.DPO})
    assert forged.status_code == 403 and "does not match" in detail(forged)
    unknown = await offline.post("/signin", data={"csrf_token": token, "email": "who@x.example"})
    assert unknown.status_code == 422 and "not in the people directory" in unknown.text
    empty = await offline.post("/signin", data={"csrf_token": token})
    assert empty.status_code == 422 and "Choose who you are" in empty.text
    as_json = await offline.post("/signin", json={"csrf_token": token, "email": people.DPO})
    assert as_json.status_code == 415 and "application/x-www-form-urlencoded" in detail(as_json)
    assert (await offline.get("/api/me")).status_code == 401  # none of that signed anyone in

    # `next` never leads to another site.
    away = await offline.post(
        "/signin",
        data={"csrf_token": token, "email": people.CASEWORKER, "next": "//evil.example/x"},
    )
    assert away.status_code == 303 and away.headers["location"] == "/"


async def test_sign_out_needs_the_token(offline: httpx.AsyncClient) -> None:
    token = await sign_in(offline, people.CASEWORKER)
    refused = await offline.post("/signout", data={"next": "/"})
    assert refused.status_code == 403
    assert (await offline.get("/api/me")).status_code == 200
    done = await offline.post("/signout", data={"csrf_token": token})
    assert done.status_code == 303
    assert (await offline.get("/api/me")).status_code == 401


# ----- the intake form ------------------------------------------------------------------


async def test_the_form_needs_its_csrf_token(offline: httpx.AsyncClient) -> None:
    await sign_in(offline, people.CASEWORKER)
    missing = await offline.post("/proposals/new", data=VALID)
    assert missing.status_code == 403 and "CSRF" in detail(missing)
    wrong = await offline.post("/proposals/new", data={**VALID, "csrf_token": "forged"})
    assert wrong.status_code == 403 and "does not match" in detail(wrong)
    as_json = await offline.post("/proposals/new", json=VALID)
    assert as_json.status_code == 415


async def test_an_empty_form_names_every_missing_answer(offline: httpx.AsyncClient) -> None:
    token = await sign_in(offline, people.CASEWORKER)
    response = await offline.post("/proposals/new", data={"csrf_token": token})
    assert response.status_code == 422
    errors = errors_on(response.text)
    assert errors["title"] == "Enter a short title"
    assert errors["purpose"] == "Say why you want to share this information"
    assert errors["recipients-0-name"] == "Add at least one organisation"
    assert errors["volume"].startswith("Enter an estimate")
    for field in ("imminent_risk_of_harm", "personal_data", "frequency", "specified_in_law"):
        assert field in errors, field
    assert 'data-testid="error-summary"' in response.text
    assert 'href="#personal_data-yes"' in response.text  # the summary links to the field


async def test_wrong_answers_are_explained_and_kept(offline: httpx.AsyncClient) -> None:
    token = await sign_in(offline, people.CASEWORKER)
    bad = {
        **VALID,
        "csrf_token": token,
        "volume": "lots",
        "personal_data": "maybe",
        "frequency": "weekly",
        "special_categories": "astrology",
        "recipients-0-name": "PHSO",
        "recipients-0-kind": "spaceship",
        "recipients-1-name": "lgsco",
        "recipients-1-kind": "public_body",
        "recipients-1-location": "wales",
    }
    response = await offline.post("/proposals/new", data=bad)
    assert response.status_code == 422
    errors = errors_on(response.text)
    assert errors["volume"] == "Enter the number of records as a whole number, e.g. 250"
    assert errors["personal_data"] == "Choose yes or no"
    assert errors["frequency"] == "Choose one of the options"
    assert errors["special_categories"] == "Tick only the categories listed"
    assert errors["recipients-0-kind"] == "Choose one of the options"
    assert "title" not in errors
    # What was typed is still there.
    assert 'value="Joint investigation with LGSCO"' in response.text
    assert 'value="lots"' in response.text
    assert 'value="lgsco"' in response.text

    clash = {**VALID, "csrf_token": token, "recipients-1-name": "lgsco"}
    clash |= {"recipients-1-kind": "public_body", "recipients-1-location": "wales"}
    response = await offline.post("/proposals/new", data=clash)
    clash_error = errors_on(response.text)["recipients"]
    assert clash_error == "Each recipient organisation must be named once"
    phso = await offline.post(
        "/proposals/new", data={**VALID, "csrf_token": token, "recipients-0-name": "phso"}
    )
    assert errors_on(phso.text)["recipients-0-name"] == (
        "PHSO is always a party; name the other organisation"
    )
    too_long = await offline.post(
        "/proposals/new", data={**VALID, "csrf_token": token, "title": "t" * 201}
    )
    assert "at most 200 characters" in errors_on(too_long.text)["title"]
    huge = await offline.post(
        "/proposals/new", data={**VALID, "csrf_token": token, "volume": "9" * 12}
    )
    assert errors_on(huge.text)["volume"] == "Enter a number of records from 0 to 1,000,000,000"


async def test_recipients_are_added_and_removed_without_javascript(
    offline: httpx.AsyncClient,
) -> None:
    token = await sign_in(offline, people.CASEWORKER)
    added = await offline.post(
        "/proposals/new", data={**VALID, "csrf_token": token, "action": "add-recipient"}
    )
    assert added.status_code == 200
    assert added.text.count('data-testid="recipient"') == 2
    assert 'id="recipients-1-name"' in added.text and "autofocus" in added.text
    assert not errors_on(added.text)  # adding a row is not a submission
    assert 'value="Joint investigation with LGSCO"' in added.text

    two = {**VALID, "csrf_token": token, "recipients-1-name": "CQC"}
    removed = await offline.post("/proposals/new", data={**two, "action": "remove-0"})
    assert removed.text.count('data-testid="recipient"') == 1
    assert 'value="CQC"' in removed.text and 'value="LGSCO"' not in removed.text

    launch = {**VALID, "csrf_token": token, "action": "launch"}
    unknown = await offline.post("/proposals/new", data=launch)
    assert unknown.status_code == 400 and "unknown form action" in detail(unknown)


async def test_imminent_risk_shows_the_emergency_at_once(offline: httpx.AsyncClient) -> None:
    token = await sign_in(offline, people.CASEWORKER)
    response = await offline.post(
        "/proposals/new", data={"csrf_token": token, "imminent_risk_of_harm": "yes"}
    )
    assert response.status_code == 422  # the rest is unanswered, but the emergency comes first
    top = response.text.index('data-testid="emergency"')
    assert top < response.text.index('data-testid="error-summary"')
    assert "Call 999 now." in response.text and "Helphub" in response.text


async def test_only_a_caseworker_may_propose(offline: httpx.AsyncClient) -> None:
    token = await sign_in(offline, people.DPO)
    response = await offline.post("/proposals/new", data={**VALID, "csrf_token": token})
    assert response.status_code == 422
    assert "do not have the caseworker role" in response.text


async def test_without_temporal_the_pages_say_so(offline: httpx.AsyncClient) -> None:
    token = await sign_in(offline, people.CASEWORKER)
    for path in ("/proposals", "/proposals/mine", "/proposals/isp-abc234defg"):
        response = await offline.get(path)
        assert response.status_code == 503, path
        assert "cannot reach Temporal at 127.0.0.1:1" in detail(response)
    submitted = await offline.post("/proposals/new", data={**VALID, "csrf_token": token})
    assert submitted.status_code == 503
    api = await offline.get("/api/proposals/isp-abc234defg")
    assert api.status_code == 503 and "connection refused" in api.json()["detail"]


# ----- lists and proposal pages ---------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "status", "text"),
    [
        ("state=sleeping", 422, "'sleeping' is not a state"),
        ("awaiting=janitor", 422, "'janitor' is not a role"),
        ("size=0", 422, "size (query): Input should be greater than or equal to 1"),
        ("size=many", 422, "size (query): Input should be a valid integer"),
        ("partner=" + "p" * 201, 422, "partner (query): String should have at most 200"),
        ("partner=a%01b", 422, "partner: control characters are not allowed"),
        ("partner=a%22b", 422, "partner: a name with a double quote"),
        ("page=%25%25%25", 400, "the page token is not valid"),
    ],
)
async def test_list_filters_are_checked(
    offline: httpx.AsyncClient, query: str, status: int, text: str
) -> None:
    await sign_in(offline, people.CASEWORKER)
    for path in ("/proposals", "/proposals/mine", "/api/proposals"):
        response = await offline.get(f"{path}?{query}")
        assert response.status_code == status, (path, response.text[:300])
        body = response.text.replace("&#39;", "'")
        assert text in body, (path, body[:500])


async def test_malformed_proposal_ids_are_not_found(offline: httpx.AsyncClient) -> None:
    await sign_in(offline, people.CASEWORKER)
    for bad in ("nope", "isp-UPPER", "isp-" + "a" * 61, "isp-a%20b"):
        page = await offline.get(f"/proposals/{bad}")
        assert page.status_code == 404 and "is not a proposal id" in detail(page)
        api = await offline.get(f"/api/proposals/{bad}")
        assert api.status_code in (404, 422), api.text


@pytest.mark.devserver
async def test_unknown_proposals_are_not_found(live: httpx.AsyncClient) -> None:
    await sign_in(live, people.CASEWORKER)
    page = await live.get("/proposals/isp-doesnotexist")
    assert page.status_code == 404
    assert "there is no proposal isp-doesnotexist" in detail(page)
    api = await live.get("/api/proposals/isp-doesnotexist")
    assert api.status_code == 404
    assert api.json()["detail"] == "there is no proposal isp-doesnotexist"
    token = await live.get("/api/proposals?page=AAAA")
    assert token.status_code == 400 and "page token" in token.json()["detail"]


async def test_the_lifecycle_picture(offline: httpx.AsyncClient) -> None:
    picture = await offline.get("/lifecycle.svg?state=signing")
    assert picture.status_code == 200
    assert picture.headers["content-type"].startswith("image/svg+xml")
    assert '<g class="state current" data-state="signing">' in picture.text
    bad = await offline.get("/lifecycle.svg?state=limbo")
    assert bad.status_code == 422 and "'limbo' is not a state" in detail(bad).replace("&#39;", "'")


# ----- the register -----------------------------------------------------------------------


@pytest.fixture
def published(infoshare_home: Path) -> Iterator[dict[str, Any]]:
    """One agreement in the register, its file published under the documents folder."""
    from infoshare.database.models import RegisterRow
    from infoshare.database.session import session_scope

    row = register_row("isp-registered1")
    yield row
    with session_scope() as session:
        session.delete(session.get(RegisterRow, row["proposal_id"]))


async def test_the_register_is_public(
    offline: httpx.AsyncClient, published: dict[str, Any]
) -> None:
    listing = await offline.get("/register")
    assert listing.status_code == 200
    assert 'href="/register/isp-registered1/v2"' in listing.text
    entry = await offline.get("/register/isp-registered1/v2")
    assert entry.status_code == 200
    assert "Dana Director" in entry.text
    assert 'href="/register/isp-registered1/v2.html"' in entry.text
    assert "v2.pdf" not in entry.text  # no PDF rendering was published
    document = await offline.get("/register/isp-registered1/v2.html")
    assert document.status_code == 200 and "Between PHSO and LGSCO." in document.text
    api = await offline.get("/api/register?in_force=true")
    (item,) = [a for a in api.json()["agreements"] if a["proposal_id"] == "isp-registered1"]
    assert item["url"].endswith("/register/isp-registered1/v2") and "html_uri" not in item


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/register/isp-registered1/v1", "its current version is v2"),
        ("/register/isp-registered1/v3.html", "its current version is v2"),
        ("/register/isp-registered1/v2.pdf", "has no PDF rendering"),
        ("/register/isp-registered1/v0", "there is no 'v0' here"),
        ("/register/isp-registered1/latest", "there is no 'latest' here"),
        ("/register/isp-registered1/v2.exe", "there is no 'v2.exe' here"),
        ("/register/isp-unknown/v1", "isp-unknown has no agreement in the register"),
    ],
)
async def test_the_register_refuses_unknown_documents(
    offline: httpx.AsyncClient, published: dict[str, Any], path: str, text: str
) -> None:
    response = await offline.get(path)
    assert response.status_code == 404
    assert text in detail(response).replace("&#39;", "'")


async def test_the_register_serves_nothing_outside_the_documents(
    offline: httpx.AsyncClient, published: dict[str, Any], tmp_path: Path
) -> None:
    from infoshare.database.models import RegisterRow
    from infoshare.database.session import session_scope

    outside = tmp_path / "secret.md"
    outside.write_text("not for publication")
    with session_scope() as session:
        session.get(RegisterRow, "isp-registered1").html_uri = outside.as_uri()  # type: ignore[union-attr]
    response = await offline.get("/register/isp-registered1/v2.html")
    assert response.status_code == 404 and "not for publication" not in response.text


# ----- the rest -------------------------------------------------------------------------


async def test_unknown_paths_and_methods(offline: httpx.AsyncClient) -> None:
    page = await offline.get("/nowhere")
    assert page.status_code == 404 and "there is no page at /nowhere" in detail(page)
    api = await offline.get("/api/nowhere")
    assert api.status_code == 404 and api.json() == {"detail": "there is no page at /api/nowhere"}
    wrong = await offline.post("/register", data={"a": "b"})
    assert wrong.status_code == 405 and "POST is not allowed on /register" in detail(wrong)
    schema = (await offline.get("/api/openapi.json")).json()
    assert set(schema["paths"]) == {"/api/proposals", "/api/proposals/{workflow_id}",
                                    "/api/register", "/api/me"}  # fmt: skip


async def test_behind_single_sign_on_the_header_says_who(infoshare_home: Path) -> None:
    from infoshare.web.app import create_app

    app = create_app(settings_for(temporal_address="127.0.0.1:1", web_user_header="X-Email"))
    async with asgi_client(app) as client:
        nobody = await client.get("/proposals/new")
        assert nobody.status_code == 401 and "X-Email" in detail(nobody)
        assert (await client.get("/signin")).status_code == 404
        garbage = await client.get("/api/me", headers={"X-Email": "not an email"})
        assert garbage.status_code == 401 and "does not hold an email" in detail(garbage)
        me = await client.get("/api/me", headers={"X-Email": " Casey@PHSO.example "})
        assert me.json()["email"] == people.CASEWORKER and me.json()["in_directory"]

        stranger = {"X-Email": "new.starter@phso.example"}
        page = await client.get("/proposals/new", headers=stranger)
        assert page.status_code == 200
        response = await client.post(
            "/proposals/new", data={**VALID, "csrf_token": csrf_of(page.text)}, headers=stranger
        )
        assert response.status_code == 422 and "not in the people directory" in response.text


async def _listed(
    client: httpx.AsyncClient, query: str, workflow_id: str, present: bool = True
) -> dict[str, Any]:
    """The API list for `query` once it shows (or no longer shows) `workflow_id`:
    visibility follows the workflow a moment later."""
    import asyncio

    for _ in range(100):
        body: dict[str, Any] = (await client.get(f"/api/proposals?{query}")).json()
        ids = [p["workflow_id"] for p in body["proposals"]]
        if (workflow_id in ids) == present:
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"{workflow_id} {'never' if present else 'still'} listed for {query}")


@pytest.mark.devserver
async def test_a_submitted_proposal_starts_and_is_listed(
    live: httpx.AsyncClient, dev_worker: str
) -> None:
    from tests.web.conftest import track

    token = await sign_in(live, people.CASEWORKER)
    form = {**VALID, "csrf_token": token, "recipients-0-name": "St Mary's (NHS) Trust"}
    response = await live.post("/proposals/new", data=form)
    assert response.status_code == 303, response.text[:1000]
    location = response.headers["location"]
    workflow_id = location.removeprefix("/proposals/").removesuffix("?started=1")
    track(dev_worker, workflow_id)

    page = await live.get(location)
    assert page.status_code == 200
    assert 'data-testid="state">screening</span>' in page.text
    assert f"/namespaces/default/workflows/{workflow_id}" in page.text

    # A quote in the partner's name is escaped in the visibility query.
    partner = "partner=St%20Mary's%20(NHS)%20Trust"
    body = await _listed(live, f"{partner}&state=screening&awaiting=caseworker", workflow_id)
    assert body["proposals"][0]["partners"] == ["St Mary's (NHS) Trust"]
    await _listed(live, f"{partner}&state=dpia", workflow_id, present=False)
    await _listed(live, f"mine=true&{partner}", workflow_id)
    mine = await live.get(f"/proposals/mine?{partner}")
    assert workflow_id in mine.text

    # Paging: a token is good for its own list only.
    start = await live.post("/proposals/new", data={**form, "csrf_token": token})
    track(dev_worker, start.headers["location"].split("/")[2].split("?")[0])
    first = await _listed(live, f"{partner}&size=1", workflow_id, present=False)
    assert first["next_page"], first
    second = await live.get(f"/api/proposals?{partner}&size=1&page={first['next_page']}")
    assert [p["workflow_id"] for p in second.json()["proposals"]] == [workflow_id]
    other = await live.get(f"/api/proposals?state=dpia&size=1&page={first['next_page']}")
    assert other.status_code == 400 and "not valid for this list" in other.json()["detail"]


PARAMETERS = ("state", "awaiting", "partner", "caseworker", "mine", "page", "size")
ODD = ["", " ", "%00", "'", "%22", "%F0%9F%98%80", "a" * 300, "-1", "1e9", "true", "..%2F..", "%ZZ"]


@pytest.mark.devserver
async def test_odd_input_never_fails_the_server(live: httpx.AsyncClient) -> None:
    """A small fuzz of every route's parameters: always an answer below 500."""
    await sign_in(live, people.CASEWORKER)
    paths = []
    for value in ODD:
        paths += [f"/api/proposals?{name}={value}" for name in PARAMETERS]
        paths += [
            f"/api/proposals/{value}",
            f"/api/proposals/isp-{value}",
            f"/api/register?in_force={value}",
            f"/proposals/{value}",
            f"/proposals?state={value}&page={value}",
            f"/register/{value}/{value}",
            f"/register/isp-x/v{value}.pdf",
            f"/lifecycle.svg?state={value}",
            f"/signin?next={value}",
        ]
    for path in paths:
        response = await live.get(path)
        assert response.status_code < 500, (path, response.status_code, response.text[:300])
