"""Find the POST forms a user is really offered: every `<form method="post">` of a page, with its
action URL and the names and current values of its fields (input, select, textarea, button).

The fuzz test posts to these actions, so that query strings on actions (`?version=`, `?kind=`) and
fields added to a template later are covered without a list kept by hand.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

NO_VALUE_TYPES = {"submit", "reset", "image"}


@dataclass
class PageForm:
    """One POST form: its absolute action path (with query) and name -> candidate values."""

    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    file_fields: set[str] = field(default_factory=set)
    # what a browser would send unchanged: (name, value) of text inputs, textareas, checked boxes
    # and selected options, in page order
    current: list[list[str]] = field(default_factory=list)

    def current_data(self) -> list[tuple[str, str]]:
        """The form as a browser submits it untouched (select without `selected`: first option)."""
        # HTML drops one newline right after <textarea>; csrf_token is off in tests
        return [(name, value.removeprefix("\n")) for name, value in self.current if name != "csrf_token"]

    def add(self, name: str, value: str | None) -> None:
        values = self.fields.setdefault(name, [])
        if value is not None and value not in values:
            values.append(value)


class _Parser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url, self.forms, self.form = page_url, [], None
        self.select: str | None = None
        self.select_entry: list[str] | None = None
        self.textarea: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                action = urljoin(self.page_url, a.get("action") or self.page_url)
                parts = urlsplit(action)
                self.form = PageForm(parts.path + (f"?{parts.query}" if parts.query else ""))
                self.forms.append(self.form)
            return
        if self.form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind == "file":
                self.form.file_fields.add(name)
            self.form.add(name, None if kind in NO_VALUE_TYPES or kind == "file" else a.get("value", ""))
            sent = "checked" in a if kind in ("checkbox", "radio") else kind not in NO_VALUE_TYPES and kind != "file"
            if sent:
                self.form.current.append([name, a.get("value", "on" if kind == "checkbox" else "")])
        elif tag == "button":
            self.form.add(name, a.get("value", ""))
        elif tag == "select":
            self.select, self.select_entry = name, None
            self.form.add(name, None)
        elif tag == "textarea":
            self.textarea = [name, ""]
            self.form.current.append(self.textarea)
            self.form.add(name, None)

    def handle_data(self, data):
        if self.form is not None and self.textarea is not None:
            self.textarea[1] += data
            if data.strip():
                self.form.add(self.textarea[0], data.strip())

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


class _OptionParser(_Parser):
    """Adds the `<option value>`s of the current select to its candidate values."""

    def handle_starttag(self, tag, attrs):
        if tag == "option" and self.form is not None and self.select:
            a = dict(attrs)
            value = a.get("value") or ""
            self.form.add(self.select, value)
            if self.select_entry is None:  # the first option is sent unless another is selected
                self.select_entry = [self.select, value]
                self.form.current.append(self.select_entry)
            elif "selected" in a:
                self.select_entry[1] = value
            return
        super().handle_starttag(tag, attrs)


def post_forms(html: str, page_url: str) -> list[PageForm]:
    """Every POST form of `html` (served at `page_url`), in page order; csrf_token is dropped."""
    parser = _OptionParser(page_url)
    parser.feed(html)
    for form in parser.forms:
        form.fields.pop("csrf_token", None)
    return parser.forms
