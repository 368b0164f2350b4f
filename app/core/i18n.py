"""Locale selection: Japanese by default; `?lang=en` or the `lang` cookie selects English."""
from flask import request

SUPPORTED = ("ja", "en")


def select_locale() -> str:
    """Flask-Babel locale selector."""
    lang = request.args.get("lang") or request.cookies.get("lang")
    return lang if lang in SUPPORTED else "ja"
