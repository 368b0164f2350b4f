"""Form base: every form is a Flask-WTF form (CSRF token, Japanese validator messages)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.fields.core import UnboundField
from wtforms.validators import StopValidation

# The largest integer an INTEGER column holds on PostgreSQL (int4).
INTEGER_LIMIT = 2**31 - 1


def strip_nul(value):
    """Remove NUL characters from text input: PostgreSQL refuses them in text columns."""
    return value.replace("\x00", "") if isinstance(value, str) else value


def storable_integer(form, field):
    """Validator: refuse integers an INTEGER column cannot hold (also keeps NumberRange, which
    converts to float, from raising OverflowError on a 400-digit number)."""
    if field.data is not None and abs(field.data) > INTEGER_LIMIT:
        raise StopValidation(_l("数値が大きすぎます。"))


class BaseForm(FlaskForm):
    """Base of all forms. Role-specific subclasses list only the fields that role may set."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            # Every free-text field drops NULs and every integer field refuses what the database cannot
            # store, so no form can turn them into a 500. A new UnboundField each time: the class's
            # own must not be changed (it would gain one more filter on every request).
            extra, kwargs = {}, unbound_field.kwargs
            if issubclass(unbound_field.field_class, (StringField, TextAreaField)):
                extra["filters"] = [strip_nul, *(kwargs.get("filters") or ())]
            if issubclass(unbound_field.field_class, IntegerField):
                extra["validators"] = [storable_integer, *(kwargs.get("validators") or ())]
            if extra:
                unbound_field = UnboundField(unbound_field.field_class, *unbound_field.args, **{**kwargs, **extra})
            return unbound_field.bind(form=form, **options)


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes for one multi-valued field (categories, regions)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def strip_filter(value):
    """Field filter: trim surrounding white space of text input (None stays None)."""
    return value.strip() if isinstance(value, str) else value
