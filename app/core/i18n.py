"""Locale selection: Japanese by default; `?lang=en` or the `lang` cookie selects English."""
from flask import has_request_context, request

SUPPORTED = ("ja", "en")


def select_locale() -> str:
    """Flask-Babel locale selector; outside a request (CLI, jobs) Japanese."""
    if not has_request_context():
        return "ja"
    lang = request.args.get("lang") or request.cookies.get("lang")
    return lang if lang in SUPPORTED else "ja"
