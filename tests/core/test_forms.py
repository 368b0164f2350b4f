from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, StringField, TextAreaField

from app.core.forms import BaseForm, strip_filter


class _Form(BaseForm):
    title = StringField(filters=[strip_filter])
    body = TextAreaField()
    count = IntegerField()


def test_every_text_field_drops_nul_characters_before_its_own_filters(app):
    with app.test_request_context(method="POST"):
        form = _Form(formdata=MultiDict({"title": " \x00題名\x00 ", "body": "本文\x00です", "count": "3"}), meta={"csrf": False})
        assert form.validate()
        assert form.title.data == "題名" and form.body.data == "本文です" and form.count.data == 3
