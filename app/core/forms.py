"""Form base: every form is a Flask-WTF form (CSRF token, Japanese validator messages)."""
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, widgets


class BaseForm(FlaskForm):
    """Base of all forms. Role-specific subclasses list only the fields that role may set."""


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes for one multi-valued field (categories, regions)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def strip_filter(value):
    """Field filter: trim surrounding white space of text input (None stays None)."""
    return value.strip() if isinstance(value, str) else value
