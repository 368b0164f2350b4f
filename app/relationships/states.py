"""Kinds of provider–municipality relationship (利害関係) a provider or the operator may declare."""
from flask_babel import lazy_gettext as _l

from app.core.states import LabeledEnum


class RelationshipKind(LabeledEnum):
    INCUMBENT_VENDOR = "incumbent_vendor", _l("現行システムの受託事業者")
    CONTRACT = "contract", _l("契約・取引関係")
    CAPITAL = "capital", _l("資本関係")
    PERSONNEL = "personnel", _l("人的関係（出向・兼職など）")
    OTHER = "other", _l("その他")
