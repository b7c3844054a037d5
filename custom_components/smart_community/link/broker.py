"""Broker configuration export for the community: Mosquitto password file, ACL, config.

- :func:`hash_password` writes Mosquitto 2.0's ``$7$`` format (PBKDF2-HMAC-SHA512,
  101 iterations, 12-byte salt, standard base64), the same as ``mosquitto_passwd``.
- :func:`acl_file` grants each household ``write sc/<c>/hh/<h>/out``,
  ``read sc/<c>/hh/<h>/inbox`` and ``read sc/<c>/broadcast``; the community user
  gets ``readwrite sc/<c>/#``. Nothing else is allowed (no anonymous access).
- :func:`mosquitto_conf` is a listener snippet with persistence on and TLS lines
  to uncomment.
- :func:`build_broker_config` bundles the three files; only password *hashes*
  leave Home Assistant, never the passwords or the HMAC keys.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
import hashlib
import secrets
from typing import Final

from .protocol import is_valid_name
from .topics import (
    TOPIC_ROOT,
    broadcast_topic,
    household_inbox_topic,
    household_out_topic,
)

PBKDF2_ITERATIONS: Final = 101
SALT_BYTES: Final = 12
KEY_BYTES: Final = 32
PASSWORD_FILE_NAME: Final = "smart_community.passwd"  # noqa: S105
ACL_FILE_NAME: Final = "smart_community.acl"
CONF_FILE_NAME: Final = "smart_community.conf"


def generate_password() -> str:
    """Return a random broker password (URL-safe text)."""
    return secrets.token_urlsafe(24)


def generate_key() -> str:
    """Return a random HMAC key as URL-safe base64 text (store this, share it once)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def key_from_text(text: str) -> bytes:
    """Decode a key made by generate_key; raise ValueError when it is not one."""
    try:
        key = base64.urlsafe_b64decode(text.encode("ascii"))
    except (UnicodeEncodeError, ValueError) as err:
        raise ValueError("key is not base64") from err
    if len(key) < 16:
        raise ValueError("key too short")
    return key


def household_username(community: str, household: str) -> str:
    """Return the broker username of a household."""
    return f"sc-{community}-{household}"


def community_username(community: str) -> str:
    """Return the broker username of the community."""
    return f"sc-{community}-community"


def hash_password(
    password: str, *, salt: bytes | None = None, iterations: int = PBKDF2_ITERATIONS
) -> str:
    """Return a Mosquitto 2.0 ``$7$`` password hash."""
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, iterations)
    return f"$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, hashed: str) -> bool:
    """Return whether password matches a ``$7$`` hash."""
    parts = hashed.split("$")
    if len(parts) != 5 or parts[1] != "7" or not parts[2].isdigit():
        return False
    try:
        salt = base64.b64decode(parts[3], validate=True)
    except ValueError:
        return False
    return secrets.compare_digest(
        hash_password(password, salt=salt, iterations=int(parts[2])), hashed
    )


def _check_name(value: str) -> None:
    """Raise ValueError unless value is a valid id."""
    if not is_valid_name(value):
        raise ValueError("invalid id")


def password_file(credentials: Mapping[str, str]) -> str:
    """Return a password file for username -> password (hashed here)."""
    for username in credentials:
        if not username or ":" in username or "\n" in username:
            raise ValueError("invalid username")
    return "".join(
        f"{username}:{hash_password(password)}\n"
        for username, password in sorted(credentials.items())
    )


def acl_file(
    community: str, households: list[str] | tuple[str, ...] | frozenset[str] | set[str]
) -> str:
    """Return an ACL file: each household its own topics, the community everything under its root."""
    _check_name(community)
    lines = [
        "# Smart Community link ACL (generated)",
        f"user {community_username(community)}",
        f"topic readwrite {TOPIC_ROOT}/{community}/#",
        "",
    ]
    for household in sorted(households):
        _check_name(household)
        lines += [
            f"user {household_username(community, household)}",
            f"topic write {household_out_topic(community, household)}",
            f"topic read {household_inbox_topic(community, household)}",
            f"topic read {broadcast_topic(community)}",
            "",
        ]
    return "\n".join(lines)


def mosquitto_conf(
    *,
    port: int = 8883,
    config_dir: str = "/etc/mosquitto",
    persistence_location: str = "/var/lib/mosquitto/",
    tls: bool = True,
) -> str:
    """Return a mosquitto.conf snippet (include it from the main configuration)."""
    tls_prefix = "" if tls else "#"
    return "\n".join(
        [
            "# Smart Community link broker (generated)",
            "per_listener_settings false",
            f"listener {port}",
            f"{tls_prefix}certfile {config_dir}/certs/server.crt",
            f"{tls_prefix}keyfile {config_dir}/certs/server.key",
            f"{tls_prefix}cafile {config_dir}/certs/ca.crt",
            "allow_anonymous false",
            f"password_file {config_dir}/{PASSWORD_FILE_NAME}",
            f"acl_file {config_dir}/{ACL_FILE_NAME}",
            "persistence true",
            f"persistence_location {persistence_location}",
            "autosave_interval 60",
            "max_queued_messages 10000",
            "# Alarms are small messages: send them at once (no Nagle delay of ~30 ms).",
            "set_tcp_nodelay true",
            "",
        ]
    )


@dataclass(frozen=True, slots=True)
class BrokerConfig:
    """The files a community gives its Mosquitto broker."""

    password_file: str
    acl_file: str
    conf: str

    def files(self) -> dict[str, str]:
        """Return file name -> content."""
        return {
            PASSWORD_FILE_NAME: self.password_file,
            ACL_FILE_NAME: self.acl_file,
            CONF_FILE_NAME: self.conf,
        }


def build_broker_config(
    community: str,
    community_password: str,
    household_passwords: Mapping[str, str],
    *,
    port: int = 8883,
    tls: bool = True,
    config_dir: str = "/etc/mosquitto",
) -> BrokerConfig:
    """Return the password file, ACL and config snippet for a community and its households."""
    _check_name(community)
    credentials = {community_username(community): community_password}
    for household, password in household_passwords.items():
        _check_name(household)
        credentials[household_username(community, household)] = password
    return BrokerConfig(
        password_file=password_file(credentials),
        acl_file=acl_file(community, list(household_passwords)),
        conf=mosquitto_conf(port=port, tls=tls, config_dir=config_dir),
    )
