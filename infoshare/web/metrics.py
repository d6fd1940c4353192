"""Prometheus metrics of the web form, served at /metrics (not in the OpenAPI schema).

Requests are counted and timed by route template (`/proposals/{workflow_id}`, never the
workflow id itself: bounded labels, no identifiers) and status; in-flight requests gauged.
Each app has its own registry, so several apps in one process (tests) do not collide.
"""

from __future__ import annotations

import time

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNMATCHED = "<unmatched>"  # a path no route serves (404s): one label, not one per path


class WebMetrics:
    """The web form's request metrics, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "infoshare_web_requests",
            "HTTP requests answered, by method, route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "infoshare_web_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ("method", "route"),
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "infoshare_web_requests_in_flight",
            "HTTP requests being answered now.",
            registry=self.registry,
        )

    def exposition(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


def route_template(scope: Scope, root_path: str) -> str:
    """The template of the route that answered `scope` (`/proposals/{workflow_id}`): the
    router records the route in the scope; a mount (static files) extends its root path."""
    route = scope.get("route")
    if route is not None and hasattr(route, "path"):
        return str(route.path)
    mounted = str(scope.get("root_path", ""))
    if mounted != root_path:
        return mounted.removeprefix(root_path) + "/{path}"
    return UNMATCHED


class MetricsMiddleware:
    """ASGI middleware recording every HTTP request in `metrics`."""

    def __init__(self, app: ASGIApp, metrics: WebMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        root_path = str(scope.get("root_path", ""))
        method = scope["method"]
        status = 500  # if the app fails before it answers
        started = time.perf_counter()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, send_status)
        finally:
            self.metrics.in_flight.dec()
            # the router fills in the scope it was given as it routes
            route = route_template(scope, root_path)
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - started)
            self.metrics.requests.labels(method, route, str(status)).inc()


async def metrics_endpoint(request: Request) -> Response:
    """The Prometheus text exposition of this app's metrics."""
    metrics: WebMetrics = request.app.state.metrics
    return metrics.exposition()
