"""The community (property) side at run time."""

from dataclasses import dataclass


@dataclass(kw_only=True, slots=True)
class Community:
    """The community runtime stored in its config entry's runtime_data."""

    community_id: str
    name: str
