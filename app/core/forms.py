"""Form base: every form is a Flask-WTF form (CSRF token, Japanese validator messages)."""
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField, widgets


def strip_nul(value):
    """Remove NUL characters from text input: PostgreSQL refuses them in text columns."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """Base of all forms. Role-specific subclasses list only the fields that role may set."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            # Every free-text field drops NULs, so no form can turn them into a 500 on PostgreSQL.
            if issubclass(unbound_field.field_class, (StringField, TextAreaField)):
                filters = list(unbound_field.kwargs.get("filters", ()))
                unbound_field.kwargs["filters"] = [strip_nul, *filters]
            return unbound_field.bind(form=form, **options)


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes for one multi-valued field (categories, regions)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def strip_filter(value):
    """Field filter: trim surrounding white space of text input (None stays None)."""
    return value.strip() if isinstance(value, str) else value
