"""Typed readers of decoded JSON fields that raise `FrigatePayloadError`."""

from collections.abc import Mapping
import json
import math

from .errors import FrigatePayloadError

type JsonObject = Mapping[str, object]


def load_json(payload: bytes | str) -> object:
    """Decode a JSON payload or raise `FrigatePayloadError`."""
    try:
        return json.loads(payload)
    except (ValueError, RecursionError) as err:
        raise FrigatePayloadError(f"invalid JSON: {err}") from err


def as_object(value: object, name: str) -> JsonObject:
    """Return `value` as a JSON object with string keys."""
    if not isinstance(value, dict):
        raise FrigatePayloadError(f"{name} is not an object")
    return value


def req_str(data: JsonObject, key: str) -> str:
    """Return a required non-empty string field."""
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise FrigatePayloadError(f"{key} is not a non-empty string")
    return value


def opt_str(data: JsonObject, key: str) -> str | None:
    """Return an optional string field; empty strings read as None."""
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise FrigatePayloadError(f"{key} is not a string")
    return value


def number(value: object, name: str) -> float:
    """Return a finite JSON number (booleans are refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FrigatePayloadError(f"{name} is not a number")
    result = float(value)
    if not math.isfinite(result):
        raise FrigatePayloadError(f"{name} is not finite")
    return result


def opt_float(data: JsonObject, key: str) -> float | None:
    """Return an optional finite number field."""
    value = data.get(key)
    return None if value is None else number(value, key)


def opt_bool(data: JsonObject, key: str, default: bool = False) -> bool:
    """Return an optional boolean field."""
    value = data.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise FrigatePayloadError(f"{key} is not a boolean")
    return value


def opt_int(data: JsonObject, key: str) -> int:
    """Return an optional integer field (0 when absent)."""
    value = data.get(key)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise FrigatePayloadError(f"{key} is not an integer")
    return value


def str_tuple(data: JsonObject, key: str) -> tuple[str, ...]:
    """Return an optional list of strings as a tuple."""
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise FrigatePayloadError(f"{key} is not a list of strings")
    return tuple(value)
