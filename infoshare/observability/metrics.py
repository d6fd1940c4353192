"""Prometheus metrics of the Temporal SDK (workflow and activity task latencies, slots,
polls, failures), served by the SDK's own runtime on `:metrics_port/metrics`."""

from __future__ import annotations

from temporalio.runtime import LoggingConfig, PrometheusConfig, Runtime, TelemetryConfig

from infoshare.observability.health import EndpointError
from infoshare.settings import Settings

# Every series carries this, so one Prometheus can scrape several services' SDK metrics.
SERVICE_TAG = {"service": "infoshare-worker"}


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def metrics_runtime(settings: Settings, logging: LoggingConfig | None = None) -> Runtime | None:
    """A runtime exporting Prometheus metrics, or None when `metrics_port` is 0.

    One per process: the runtime binds the port for as long as it lives.
    """
    if not settings.metrics_port:
        return None
    address = bind_address(settings.monitoring_host, settings.metrics_port)
    try:
        metrics = PrometheusConfig(bind_address=address)
        if logging is None:
            return Runtime(telemetry=TelemetryConfig(metrics=metrics, global_tags=SERVICE_TAG))
        return Runtime(
            telemetry=TelemetryConfig(metrics=metrics, global_tags=SERVICE_TAG, logging=logging)
        )
    except ValueError as err:  # the core's "Failed starting Prometheus exporter: ..."
        raise EndpointError(f"cannot serve metrics on {address}: {err}") from None
