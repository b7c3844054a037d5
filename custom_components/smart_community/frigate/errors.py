"""Error types of the Frigate core: one base class, one subclass per cause."""


class FrigateError(Exception):
    """Base class of every error raised by the Frigate core."""


class FrigateConnectionError(FrigateError):
    """The Frigate server could not be reached."""


class FrigateTimeoutError(FrigateError):
    """The Frigate server did not answer in time."""


class FrigateAuthenticationError(FrigateError):
    """The Frigate server rejected the credentials or the token."""


class FrigateResponseError(FrigateError):
    """The Frigate server answered with an error status or an unreadable body."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class FrigatePayloadError(FrigateError):
    """An MQTT or API payload does not have a shape the parsers accept."""
