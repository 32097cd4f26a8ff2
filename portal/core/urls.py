"""Links to the portal's pages from anywhere: a request, a job or a CLI command."""
from flask import current_app, has_request_context, url_for


def path_for(endpoint: str, **values) -> str:
    """The path of `endpoint`, also outside a request (jobs, CLI) where `url_for` cannot
    build one."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def public_link(path: str | None) -> str | None:
    """`path` as an absolute URL when the portal knows its public address (PUBLIC_URL),
    for e-mails and chat robots; None otherwise."""
    base = current_app.config.get("PUBLIC_URL")
    return base.rstrip("/") + path if base and path else None
