"""The protocol as pure, deterministic rules and a lifecycle machine: no I/O here.

Everything in this package must be importable inside the Temporal workflow sandbox.
"""
