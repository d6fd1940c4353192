"""The codec server: Temporal's /encode and /decode, for the UI's origin only, and with a
credential in production."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from infoshare.codec.keys import new_keyring
from infoshare.codec.server import create_app
from infoshare.settings import Settings

UI = "http://127.0.0.1:8233"
TOKEN = "s3cret-token"


def payloads(*texts: str) -> dict[str, Any]:
    return {
        "payloads": [
            {
                "metadata": {"encoding": base64.b64encode(b"json/plain").decode()},
                "data": base64.b64encode(json.dumps(t).encode()).decode(),
            }
            for t in texts
        ]
    }


def client(**settings: Any) -> TestClient:
    return TestClient(create_app(new_keyring(), Settings(**settings)))


def test_encode_then_decode_round_trips() -> None:
    c = client()
    encoded = c.post("/encode", json=payloads("Casey Worker"), headers={"Origin": UI})
    assert encoded.status_code == 200, encoded.text
    assert "Casey" not in encoded.text
    decoded = c.post("/decode", json=encoded.json(), headers={"Origin": UI})
    assert decoded.status_code == 200
    assert decoded.json() == payloads("Casey Worker")
    assert decoded.headers["access-control-allow-origin"] == UI


def test_the_ui_preflight_is_answered() -> None:
    response = client().options(
        "/decode",
        headers={
            "Origin": UI,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-namespace",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == UI


@pytest.mark.parametrize("path", ["/decode", "/encode"])
def test_a_bad_origin_is_refused(path: str) -> None:
    response = client().post(path, json=payloads("x"), headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert "origin https://evil.example may not use this codec server" in response.json()["error"]


def test_production_needs_the_credential() -> None:
    c = client(codec_auth_token=TOKEN)
    body = payloads("x")
    missing = c.post("/decode", json=body, headers={"Origin": UI})
    assert missing.status_code == 401 and "Bearer" in missing.json()["error"]
    wrong = c.post("/decode", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    right = c.post("/decode", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b"not json", 400, "protobuf JSON"),
        (b'{"payloads": 3}', 400, "protobuf JSON"),
        (b'{"other": []}', 400, "protobuf JSON"),
    ],
)
def test_bad_bodies_get_a_clear_4xx(body: bytes, status: int, words: str) -> None:
    response = client().post("/decode", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status and words in response.json()["error"]


def test_a_payload_from_another_key_with_the_same_id_is_a_422() -> None:
    sealed = client().post("/encode", json=payloads("x")).json()
    response = client().post("/decode", json=sealed)
    assert response.status_code == 422 and "does not decrypt" in response.json()["error"]


def test_another_namespace_is_refused() -> None:
    response = client().post("/decode", json=payloads("x"), headers={"X-Namespace": "other"})
    assert response.status_code == 403 and "namespace 'default'" in response.json()["error"]
