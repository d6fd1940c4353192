"""OpenTelemetry tracing through Temporal's `TracingInterceptor`, off by default.

With `INFOSHARE_OTEL_ENABLED=true` every client call (start, update, query), workflow run
and activity becomes a span, linked across processes through Temporal headers. Spans go
to an OTLP/HTTP collector configured by the standard variables (`OTEL_EXPORTER_OTLP_ENDPOINT`,
`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`,
`OTEL_TRACES_SAMPLER`...). Needs the `otel` extra (`pip install 'infoshare[otel]'`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from temporalio.client import Interceptor

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

DEFAULT_SERVICE_NAME = "infoshare-worker"


class TracingUnavailable(Exception):
    """Tracing is switched on but the OpenTelemetry packages are missing."""


@dataclass(frozen=True)
class Tracing:
    """The tracer provider of this process and the interceptor that feeds it."""

    provider: TracerProvider
    interceptor: Interceptor

    def shutdown(self) -> None:
        """Flush the spans still buffered, then stop exporting."""
        self.provider.shutdown()


def start_tracing(exporter: SpanExporter | None = None) -> Tracing:
    """A provider exporting to `exporter` (default: OTLP/HTTP from the OTEL_* variables)."""
    try:
        from opentelemetry.sdk.resources import SERVICE_NAME, Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
        from temporalio.contrib.opentelemetry import TracingInterceptor
    except ImportError as err:
        raise TracingUnavailable(
            f"INFOSHARE_OTEL_ENABLED is set but OpenTelemetry is not installed ({err.name}): "
            "pip install 'infoshare[otel]'"
        ) from None

    # OTEL_SERVICE_NAME, when set, names the service; Resource.create reads it.
    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: DEFAULT_SERVICE_NAME}
    provider = TracerProvider(resource=Resource.create(attributes))
    if exporter is None:
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError as err:
            raise TracingUnavailable(
                f"the OTLP exporter is not installed ({err.name}): pip install 'infoshare[otel]'"
            ) from None
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    else:
        # Given an exporter (tests, a console exporter), export each span as it ends.
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("infoshare")
    return Tracing(provider=provider, interceptor=TracingInterceptor(tracer))
