"""Fixtures for the link tests: keys, helpers and a real Mosquitto on a free port."""

from collections.abc import Callable, Generator
from pathlib import Path
import shutil

import pytest

from tests.mosquitto import (
    COMMUNITY,
    HOUSEHOLDS,
    MOSQUITTO,
    Broker,
    free_port,
    wait_until,
)

__all__ = ["COMMUNITY", "HOUSEHOLDS", "Broker", "wait_until"]


@pytest.fixture
def make_broker(
    socket_enabled: None, tmp_path: Path
) -> Generator[Callable[..., Broker]]:
    """Return a factory starting Mosquitto brokers; stops them all afterwards."""
    if shutil.which(MOSQUITTO) is None:
        pytest.skip("mosquitto is not installed (apt-get install mosquitto)")
    brokers: list[Broker] = []

    def factory(tls_files: dict[str, str] | None = None) -> Broker:
        directory = tmp_path / f"broker{len(brokers)}"
        directory.mkdir()
        broker = Broker(directory, free_port(), tls_files=tls_files)
        broker.write_config()
        broker.start()
        brokers.append(broker)
        return broker

    yield factory
    for broker in brokers:
        broker.stop()


@pytest.fixture
def broker(make_broker: Callable[..., Broker]) -> Broker:
    """Return a running Mosquitto with the test community's files."""
    return make_broker()
