"""What operators watch: health and readiness probes, Prometheus metrics, tracing."""
