"""While the tests run, the stack's default ports are taken (tests/conftest.py): no test
passes only because one of them happens to be free."""

from __future__ import annotations

import socket

import pytest

from tests.ports import default_ports, holding


def test_the_default_ports_are_the_stacks() -> None:
    assert default_ports() == {
        "Temporal frontend": 7233,
        "Temporal UI": 8233,
        "web form": 8000,
        "codec server": 8090,
        "worker health": 8081,
        "worker metrics": 9464,
    }


@pytest.mark.parametrize("what", list(default_ports()))
def test_every_default_port_is_taken_while_tests_run(what: str) -> None:
    port = default_ports()[what]
    with socket.socket() as probe, pytest.raises(OSError):
        probe.bind(("127.0.0.1", port))


def test_holding_leaves_a_taken_port_as_it_is() -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        with holding({"taken": port}) as held:
            assert held == {}
