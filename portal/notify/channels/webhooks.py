"""Group messages to DingTalk and WeCom robots and to generic JSON webhooks.

DingTalk signs with `timestamp` and `sign` query parameters (HMAC-SHA256 of
"timestamp\\nsecret" keyed with the secret, base64, URL-encoded). WeCom carries its key in
the URL and has no signature. The generic format signs the raw body:
`X-Portal-Signature: sha256=<hex HMAC-SHA256(secret, body)>`."""
import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import urllib.error
import urllib.request
from urllib.parse import urlencode, urlsplit

from flask_babel import gettext as _

from portal.notify.channels import Message, SendError

TIMEOUT = 5
# WeCom refuses markdown over 4096 bytes; DingTalk allows more, one limit serves both.
MARKDOWN_MAX_BYTES = 4000


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature of a timestamp (milliseconds), before URL-encoding."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(),
                      hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def body_signature(secret: str, body: bytes) -> str:
    """The generic format's signature header value for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _markdown(message: Message) -> str:
    text = f"#### {message.title}\n\n{message.body}".rstrip()
    if message.link:
        label = _("Open in the portal")
        text += f"\n\n[{label}]({message.link})"
    data = text.encode()
    if len(data) > MARKDOWN_MAX_BYTES:
        text = data[:MARKDOWN_MAX_BYTES].decode("utf-8", "ignore") + "…"
    return text


def build(kind: str, url: str, secret: str | None, message: Message
          ) -> tuple[str, bytes, dict[str, str]]:
    """The URL, JSON body and headers of `message` in the webhook's format."""
    headers = {"Content-Type": "application/json; charset=utf-8",
               "User-Agent": "partner-portal-notify/1"}
    if kind == "dingtalk":
        payload = {"msgtype": "markdown",
                   "markdown": {"title": message.title, "text": _markdown(message)}}
        if secret:
            stamp = int(message.sent_at.timestamp() * 1000)
            query = urlencode({"timestamp": stamp, "sign": dingtalk_sign(secret, stamp)})
            url += ("&" if urlsplit(url).query else "?") + query
    elif kind == "wecom":
        payload = {"msgtype": "markdown", "markdown": {"content": _markdown(message)}}
    else:
        payload = {"event": "notification",
                   "id": message.event, "category": message.category,
                   "title": message.title, "body": message.body, "link": message.link,
                   "sent_at": message.sent_at.isoformat()}
    body = json.dumps(payload, ensure_ascii=False).encode()
    if kind == "generic":
        headers["X-Portal-Timestamp"] = str(int(message.sent_at.timestamp()))
        if secret:
            headers["X-Portal-Signature"] = body_signature(secret, body)
    return url, body, headers


def url_problem(url: str) -> str | None:
    """Why `url` cannot be a webhook address (in English, for logs), or None: http(s)
    with a host, a port from 1 to 65535 if any, no spaces, and parseable at all (an
    unclosed IPv6 bracket or a port of 99999 make Python's parser raise)."""
    if not isinstance(url, str) or any(c.isspace() for c in url) or len(url) > 500:
        return "not a single-line address"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        return f"not a valid address: {error}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "only http and https URLs are allowed"
    if port == 0:
        return "port 0 is not a port"
    return None


def check_destination(url: str, allow_private: bool) -> None:
    """Refuse URLs that are not well-formed http(s), and unless allowed, hosts that
    resolve to loopback or private addresses: partners must not make the portal probe
    its own network."""
    problem = url_problem(url)
    if problem:
        raise SendError(problem, permanent=True)
    if allow_private:
        return
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise SendError(f"cannot resolve {parts.hostname}: {error}") from error
    for info in infos:
        if not ipaddress.ip_address(info[4][0].split("%")[0]).is_global:
            raise SendError(f"{parts.hostname} is a private address", permanent=True)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A robot URL that redirects is misconfigured; following it could lead anywhere.
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post(kind: str, url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST the message; returns the HTTP status, or raises SendError (non-2xx, network
    error, or a robot's non-zero errcode)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            status, answer = response.status, response.read(8192)
    except urllib.error.HTTPError as error:
        raise SendError(f"HTTP {error.code}", error.code) from error
    except urllib.error.URLError as error:
        raise SendError(f"{error.reason}") from error
    except (http.client.HTTPException, OSError, ValueError) as error:
        raise SendError(f"{type(error).__name__}: {error}") from error
    if kind in ("dingtalk", "wecom"):
        try:
            result = json.loads(answer)
        except ValueError:
            result = None
        if not isinstance(result, dict) or result.get("errcode") != 0:
            detail = result.get("errmsg", "") if isinstance(result, dict) else "not JSON"
            code = result.get("errcode") if isinstance(result, dict) else None
            raise SendError(f"errcode {code}: {detail}"[:300], status)
    return status
