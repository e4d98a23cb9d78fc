"""A CA server's HTTP answer that is no answer: the same judgement for AIA, CRL and OCSP URLs.

No answer at all, or a body cut off after the status line, is an `error` (the check could not
see what the server serves); a redirect or a status other than 200 is a `fail`. Anything the
server sent (the redirect target, the reason phrase) is hostile text: shortened, one line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from readiness import Finding, errored, failed
from readiness.text import display, shorten

if TYPE_CHECKING:
    from readiness.adapters.http import Fetched

MAX_URL_SHOWN = 200


def unusable(
    answer: Fetched,
    head: str,
    target: str,
    details: dict[str, Any],
    redirect_why: Callable[[str], str],
) -> Finding | None:
    """The finding when `answer` is not a complete 200, else None. `head` starts the message
    ("URL (named by …)"); `redirect_why(where)` ends a redirect's ("…: Windows does not …")."""
    if answer.status is None:
        return errored(f"{head} could not be fetched: {answer.problem}", target=target,
                       details=details)  # fmt: skip
    details = {**details, "http_status": answer.status}
    if 300 <= answer.status < 400:
        where = display(shorten(answer.location or "", MAX_URL_SHOWN)) or "nowhere"
        return failed(
            f"{head} redirects ({answer.status}) to {where}{redirect_why(where)}",
            target=target,
            details={**details, "redirect_to": where},
        )
    if answer.status != 200:
        status = f"{answer.status} {display(shorten(answer.reason, 60))}".rstrip()
        return failed(f"{head} answers {status}", target=target, details=details)
    if answer.problem is not None:  # 200, then the body broke off or took too long
        return errored(f"{head} answered 200 but {answer.problem}", target=target,
                       details=details)  # fmt: skip
    return None
