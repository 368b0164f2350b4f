"""Forms of the relationships domain: declare a provider–municipality relationship (利害関係)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from app.core.forms import BaseForm, strip_filter
from app.relationships.services import REASON_MAX
from app.relationships.states import RelationshipKind
from app.tenancy.labels import lazy_label


class RelationshipForm(BaseForm):
    """Operator: any provider; provider staff: the provider field is fixed to their company."""

    provider = SelectField(lazy_label("%(provider)s"), choices=[], validate_choice=True,
                           validators=[InputRequired(message=lazy_label("%(provider)sを選択してください。"))])
    municipality = SelectField(_l("市町村"), choices=[], validate_choice=True,
                               validators=[InputRequired(message=_l("市町村を選択してください。"))])
    kind = SelectField(_l("関係の種類"), choices=RelationshipKind.choices(),
                       validators=[InputRequired(message=_l("関係の種類を選択してください。"))])
    reason = TextAreaField(_l("内容（理由）"), filters=[strip_filter], validators=[
        DataRequired(message=_l("利害関係の内容（理由）を入力してください。")), Length(max=REASON_MAX)])

    def set_options(self, providers, municipalities) -> None:
        """Offer `providers` (one for provider staff) and `municipalities` by name."""
        self.provider.choices = [SelectChoice(str(p.id), p.name) for p in providers]
        self.municipality.choices = [SelectChoice("", _l("選択してください"))] + [
            SelectChoice(str(m.id), m.name) for m in municipalities]
