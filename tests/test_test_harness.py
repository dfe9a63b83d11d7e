"""The suite's own promises: it finds or starts a real Redis, and nothing leaves the machine."""

from __future__ import annotations

import socket

import pytest
import redis
from pytest_socket import SocketConnectBlockedError

from tests.redis_server import INSTALL_HINT, own_redis_server


def test_the_suite_can_start_a_redis_server_of_its_own() -> None:
    with own_redis_server() as (url, process):
        client = redis.Redis.from_url(url)
        client.set("faqbot-harness", "1")
        assert client.get("faqbot-harness") == b"1"
        client.close()
    assert process.poll() is not None


def test_without_the_binary_the_message_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(FileNotFoundError, match="apt-get install redis-server"), own_redis_server():
        pass
    assert "\n" not in INSTALL_HINT


def test_connections_beyond_loopback_are_refused() -> None:
    with (
        pytest.warns(UserWarning, match="192.0.2.1"),
        pytest.raises(SocketConnectBlockedError),
        socket.create_connection(("192.0.2.1", 80), timeout=1),
    ):
        pass
