"""How a message leaves the portal: by e-mail (SMTP) or to a webhook (HTTP)."""
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Message:
    """What is sent: the same for every channel. `link` is absolute, or None when the
    portal does not know its public address (PUBLIC_URL)."""
    event: str
    category: str
    title: str
    body: str
    link: str | None
    sent_at: datetime


class SendError(Exception):
    """A send that did not succeed; `code` is the SMTP or HTTP status when there was one,
    `permanent` says that trying again cannot help."""

    def __init__(self, message: str, code: int | None = None, *, permanent: bool = False):
        super().__init__(message)
        self.code = code
        self.permanent = permanent
