"""Typed errors of the co-op rules.

Every error carries a stable ``code`` and the ``params`` a translator needs, so the
answer layer can say it in the partner's language; ``str(error)`` is a plain English
sentence a person understands.
"""
from __future__ import annotations


class CoopError(ValueError):
    """Base class: input the rules cannot answer for, said in words a person understands."""

    code = "coop_error"

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


class InvalidDate(CoopError):
    """A date that does not exist, e.g. 2021-02-30."""

    code = "invalid_date"


class OutOfRange(CoopError):
    """A date or year outside the range the product answers for (policy ``[range]``)."""

    code = "out_of_range"


class InvalidSplit(CoopError):
    """A rebate/co-op split that is not two percentages adding up to 100."""

    code = "invalid_split"


class InvalidAmount(CoopError):
    """A negative, non-numeric or non-finite amount of money."""

    code = "invalid_amount"


class UnreadablePeriod(CoopError):
    """Text that names no period the rules know."""

    code = "unreadable_period"


class PolicyError(CoopError):
    """The policy file is missing, malformed, or holds a bad value; names the key."""

    code = "policy_error"
