"""/metrics: the web form's requests in the Prometheus text format, by route template."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families


async def samples(
    client: httpx.AsyncClient,
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def count(found: dict[tuple[str, tuple[tuple[str, str], ...]], float], **labels: str) -> float:
    key = ("infoshare_web_requests_total", tuple(sorted(labels.items())))
    return found.get(key, 0.0)


async def test_requests_counted_by_route_template_and_status(offline: httpx.AsyncClient) -> None:
    before = await samples(offline)
    for _ in range(3):
        assert (await offline.get("/healthz")).status_code == 200
    # two workflow ids, one route template: ids never become labels
    for workflow_id in ("isp-one", "isp-two"):
        assert (await offline.get(f"/api/proposals/{workflow_id}")).status_code == 401
    assert (await offline.get("/no/such/page")).status_code == 404
    assert (await offline.get("/static/no-such-file.css")).status_code == 404
    after = await samples(offline)

    def added(**labels: str) -> float:
        return count(after, **labels) - count(before, **labels)

    assert added(method="GET", route="/healthz", status="200") == 3
    assert added(method="GET", route="/api/proposals/{workflow_id}", status="401") == 2
    assert added(method="GET", route="<unmatched>", status="404") == 1
    assert added(method="GET", route="/static/{path}", status="404") == 1
    assert not any("isp-one" in str(labels) for _, labels in after)
    # the first /metrics request itself was counted when the second began
    assert count(after, method="GET", route="/metrics", status="200") >= 1
    latency = (
        "infoshare_web_request_duration_seconds_count",
        (("method", "GET"), ("route", "/healthz")),
    )
    assert after[latency] - before.get(latency, 0.0) == 3
    # only the /metrics request being answered is in flight
    assert after[("infoshare_web_requests_in_flight", ())] == 1


async def test_metrics_not_in_the_openapi_schema(offline: httpx.AsyncClient) -> None:
    schema = (await offline.get("/api/openapi.json")).json()
    assert "/metrics" not in schema["paths"]
