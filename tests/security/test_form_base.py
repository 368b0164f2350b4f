"""The form base (app/core/forms.py) guards that the fuzz test relies on for every form."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, TextAreaField
from wtforms.validators import NumberRange, Optional

from app.core.forms import BaseForm


class _Form(BaseForm):
    count = IntegerField(validators=[Optional(), NumberRange(min=0, max=999)])
    total = IntegerField()
    body = TextAreaField()


def _form(data: dict) -> _Form:
    return _Form(formdata=MultiDict(data), meta={"csrf": False})


def test_a_huge_integer_is_refused_with_a_message_not_an_overflow(app):
    """Found by the fuzz: NumberRange turned a 400-digit number into a float and raised OverflowError (a 500)."""
    with app.test_request_context(method="POST"):
        form = _form({"count": "9" * 400, "total": "2147483648"})
        assert not form.validate()
        assert form.count.errors == ["数値が大きすぎます。"] and form.total.errors == ["数値が大きすぎます。"]
        assert _form({"count": "12", "total": "-2147483647"}).validate()


def test_binding_a_form_does_not_change_the_form_class(app):
    """The NUL filter is added per bound form; it must not pile up on the class with every request."""
    with app.test_request_context(method="POST"):
        lengths = {len(_form({}).body.filters) for _ in range(3)}
        assert lengths == {1}
        assert _form({"body": "a\x00b"}).body.data == "ab"
