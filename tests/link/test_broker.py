"""Tests of the broker configuration export."""

import base64
from pathlib import Path
import subprocess

import pytest

from custom_components.smart_community.link.broker import (
    ACL_FILE_NAME,
    CONF_FILE_NAME,
    PASSWORD_FILE_NAME,
    acl_file,
    build_broker_config,
    community_username,
    generate_key,
    generate_password,
    hash_password,
    household_username,
    key_from_text,
    mosquitto_conf,
    password_file,
    verify_password,
)

MOSQUITTO_PASSWD = "/usr/bin/mosquitto_passwd"


def test_hash_format_and_verify() -> None:
    hashed = hash_password("secret")
    parts = hashed.split("$")
    assert parts[:3] == ["", "7", "101"]
    assert len(base64.b64decode(parts[3])) == 12
    assert len(base64.b64decode(parts[4])) == 64
    assert verify_password("secret", hashed)
    assert not verify_password("Secret", hashed)
    assert hash_password("secret") != hashed  # random salt
    assert not verify_password("secret", "$6$abc$def")
    assert not verify_password("secret", "$7$x$abc$def")
    assert not verify_password("secret", "$7$101$!!!$def")


def test_hash_matches_mosquitto_passwd(tmp_path: Path) -> None:
    if not Path(MOSQUITTO_PASSWD).exists():
        pytest.skip("mosquitto_passwd is not installed (apt-get install mosquitto)")
    path = tmp_path / "passwd"
    subprocess.run(
        [MOSQUITTO_PASSWD, "-b", "-c", str(path), "alice", "s3cret äö"], check=True
    )
    _, hashed = path.read_text().strip().split(":", 1)
    assert verify_password("s3cret äö", hashed)
    salt = base64.b64decode(hashed.split("$")[3])
    assert hash_password("s3cret äö", salt=salt) == hashed


def test_password_file_and_bad_usernames() -> None:
    text = password_file({"b": "pw2", "a": "pw1"})
    lines = text.splitlines()
    assert [line.split(":")[0] for line in lines] == ["a", "b"]
    assert verify_password("pw1", lines[0].split(":", 1)[1])
    for bad in ("", "a:b", "a\nb"):
        with pytest.raises(ValueError, match="username"):
            password_file({bad: "x"})


def test_acl_file() -> None:
    text = acl_file("c1", {"h2", "h1"})
    assert text.splitlines()[1:4] == [
        "user sc-c1-community",
        "topic readwrite sc/c1/#",
        "",
    ]
    block = text.split("user sc-c1-h1\n")[1].split("\n\n")[0]
    assert block.splitlines() == [
        "topic write sc/c1/hh/h1/out",
        "topic read sc/c1/hh/h1/inbox",
        "topic read sc/c1/broadcast",
    ]
    assert text.index("sc-c1-h1") < text.index("sc-c1-h2")
    with pytest.raises(ValueError, match="invalid id"):
        acl_file("c1", ["h/#"])
    with pytest.raises(ValueError, match="invalid id"):
        acl_file("c#", [])


def test_mosquitto_conf() -> None:
    tls = mosquitto_conf(port=8884, config_dir="/etc/m")
    assert "listener 8884" in tls.splitlines()
    assert "certfile /etc/m/certs/server.crt" in tls.splitlines()
    assert "allow_anonymous false" in tls
    assert "persistence true" in tls
    plain = mosquitto_conf(tls=False)
    assert "#certfile /etc/mosquitto/certs/server.crt" in plain.splitlines()
    assert f"password_file /etc/mosquitto/{PASSWORD_FILE_NAME}" in plain


def test_build_broker_config_never_contains_secrets() -> None:
    config = build_broker_config(
        "c1", "community-pw", {"h1": "household-pw"}, tls=False
    )
    files = config.files()
    assert set(files) == {PASSWORD_FILE_NAME, ACL_FILE_NAME, CONF_FILE_NAME}
    joined = "".join(files.values())
    assert "community-pw" not in joined
    assert "household-pw" not in joined
    users = dict(line.split(":", 1) for line in config.password_file.splitlines())
    assert verify_password("community-pw", users[community_username("c1")])
    assert verify_password("household-pw", users[household_username("c1", "h1")])
    with pytest.raises(ValueError, match="invalid id"):
        build_broker_config("c1", "pw", {"bad id": "x"})
    with pytest.raises(ValueError, match="invalid id"):
        build_broker_config("c/1", "pw", {})


def test_generated_secrets() -> None:
    assert generate_password() != generate_password()
    assert len(generate_password()) >= 32
    key = generate_key()
    assert len(key_from_text(key)) == 32
    with pytest.raises(ValueError, match="short"):
        key_from_text(base64.urlsafe_b64encode(b"short").decode())
    with pytest.raises(ValueError, match="base64"):
        key_from_text("ключ")
    with pytest.raises(ValueError, match="base64"):
        key_from_text("abc")
