"""The web form on each database the product supports (SQLite and PostgreSQL): the sign-in
reads the people directory, the register reads the register table."""

from __future__ import annotations

import httpx

from infoshare.settings import Settings
from tests import people
from tests.db_fixtures import add_people
from tests.web.conftest import asgi_client, register_row, settings_for, sign_in


async def test_sign_in_and_the_register(infoshare_env: Settings) -> None:
    from infoshare.web.app import create_app

    add_people(
        (people.CASEWORKER, ["caseworker"]), (people.SIGNATORY_LGSCO, ["signatory"], "LGSCO")
    )
    register_row("isp-ondatabase1")
    app = create_app(settings_for(temporal_address="127.0.0.1:1"))
    client: httpx.AsyncClient
    async with asgi_client(app) as client:
        page = await client.get("/signin")
        assert "chief@lgsco.example" in page.text and "(LGSCO)" in page.text
        await sign_in(client, people.CASEWORKER)
        me = (await client.get("/api/me")).json()
        assert me["roles"] == ["caseworker"]

        listing = await client.get("/register")
        assert 'href="/register/isp-ondatabase1/v2"' in listing.text
        entry = await client.get("/register/isp-ondatabase1/v2")
        assert entry.status_code == 200 and "Dana Director" in entry.text
        document = await client.get("/register/isp-ondatabase1/v2.html")
        assert "Between PHSO and LGSCO." in document.text
        nul = await client.get("/register/isp-%00/v2")
        assert nul.status_code == 404 and "is not a proposal reference" in nul.text
        agreements = (await client.get("/api/register")).json()["agreements"]
        assert [a["proposal_id"] for a in agreements] == ["isp-ondatabase1"]
