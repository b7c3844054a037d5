"""A real Mosquitto broker for tests: generated password and ACL files, a free port."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import getpass
from pathlib import Path
import signal
import socket
import subprocess
import time

import pytest

from custom_components.smart_community.link.broker import (
    build_broker_config,
    community_username,
    generate_password,
    household_username,
)
from custom_components.smart_community.link.mqtt import MqttSettings

MOSQUITTO = "/usr/sbin/mosquitto"
COMMUNITY = "test-c"
HOUSEHOLDS = ("a1", "b2")


async def wait_until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    """Wait until predicate() is true; fail after timeout seconds."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


@dataclass
class Broker:
    """A Mosquitto process with generated password and ACL files."""

    directory: Path
    port: int
    community: str = COMMUNITY
    households: tuple[str, ...] = HOUSEHOLDS
    passwords: dict[str, str] = field(default_factory=dict)
    community_password: str = ""
    process: subprocess.Popen[bytes] | None = None
    tls_files: dict[str, str] | None = None

    def write_config(self) -> None:
        """Write the password file, ACL and config into the directory."""
        self.community_password = generate_password()
        self.passwords = {
            household: generate_password() for household in self.households
        }
        bundle = build_broker_config(
            self.community, self.community_password, self.passwords, tls=False
        )
        (self.directory / "passwd").write_text(bundle.password_file)
        (self.directory / "acl").write_text(bundle.acl_file)
        (self.directory / "data").mkdir()
        lines = [
            f"user {getpass.getuser()}",
            "per_listener_settings false",
            f"listener {self.port} 127.0.0.1",
            "allow_anonymous false",
            f"password_file {self.directory / 'passwd'}",
            f"acl_file {self.directory / 'acl'}",
            "persistence true",
            f"persistence_location {self.directory / 'data'}/",
            "autosave_interval 1",
            "max_queued_messages 10000",
            "set_tcp_nodelay true",
            f"log_dest file {self.directory / 'mosquitto.log'}",
        ]
        if self.tls_files is not None:
            lines += [f"{name} {path}" for name, path in self.tls_files.items()]
        (self.directory / "mosquitto.conf").write_text("\n".join(lines) + "\n")

    def start(self) -> None:
        """Start the broker and wait until it listens."""
        self.process = subprocess.Popen(
            [MOSQUITTO, "-c", str(self.directory / "mosquitto.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.directory / "mosquitto.log").read_text(errors="replace")
                pytest.fail(f"mosquitto exited: {log}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.02)
        pytest.fail("mosquitto did not start listening")

    def kill(self) -> None:
        """Kill the broker with SIGKILL."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process = None

    def stop(self) -> None:
        """Terminate the broker if it runs."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def settings(
        self,
        household: str | None = None,
        *,
        password: str | None = None,
        **options: object,
    ) -> MqttSettings:
        """Return MQTT settings for a household (or the community)."""
        if household is None:
            username, secret = (
                community_username(self.community),
                self.community_password,
            )
        else:
            username, secret = (
                household_username(self.community, household),
                self.passwords[household],
            )
        return MqttSettings(
            host="127.0.0.1",
            port=self.port,
            community=self.community,
            username=username,
            password=password if password is not None else secret,
            reconnect_min=0.05,
            reconnect_max=0.5,
            timeout=5.0,
            **options,  # type: ignore[arg-type]
        )


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
