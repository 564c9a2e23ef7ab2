"""The one way services report a refusal: a DeskError the screen or CLI shows as is."""

from __future__ import annotations


class DeskError(Exception):
    """A refusal the user can act on. ``str(err)`` is the message to show."""


class NotAllowed(DeskError):
    """The acting staff member may not do this."""


class NotFound(DeskError):
    """What was asked for does not exist."""


class InvalidInput(DeskError):
    """An input is wrong; ``field`` names it, ``why`` says what is wrong with it."""

    def __init__(self, field: str, why: str):
        self.field = field
        self.why = why
        super().__init__(f"{field}: {why}")


class NeedsApproval(DeskError):
    """Policy allows this only with a manager's approval, for these reasons."""

    def __init__(self, reasons: list[str]):
        self.reasons = list(reasons)
        super().__init__("Needs a manager's approval: " + "; ".join(self.reasons))


class AuthFailed(DeskError):
    """Wrong staff code or PIN, or an account that is locked or inactive."""


class DatabaseProblem(DeskError):
    """The database cannot be opened or used: unreachable, too new, read-only, full."""
