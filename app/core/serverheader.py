"""No `Server: Werkzeug/3.x Python/3.x` header (issue 14: a version banner helps only attackers).

The development server writes that header itself in `BaseHTTPRequestHandler.send_response`, after
the WSGI app has returned, so neither an `after_request` hook nor a WSGI middleware can remove it:
the request handler class is the only place. gunicorn sends a bare `Server: gunicorn` (no
version), which is left as it is.
"""
from __future__ import annotations

from werkzeug.serving import WSGIRequestHandler

_PATCHED = "_ictad_no_server_header"


def hide_dev_server_version() -> None:
    """Make werkzeug's request handler drop its `Server` header (idempotent, process-wide)."""
    if getattr(WSGIRequestHandler, _PATCHED, False):
        return
    original = WSGIRequestHandler.send_header

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "server":
            return
        original(self, keyword, value)

    WSGIRequestHandler.send_header = send_header
    setattr(WSGIRequestHandler, _PATCHED, True)
