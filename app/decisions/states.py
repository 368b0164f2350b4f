"""Kinds of decision notice (決定通知) and the occasion on which one was issued."""
from flask_babel import lazy_gettext as _l

from app.core.states import LabeledEnum
from app.tenancy.labels import lazy_label


class NoticeKind(LabeledEnum):
    MUNICIPALITY = "municipality", _l("決定通知（市町村）")
    PROVIDER = "provider", lazy_label("割当通知（%(provider)s）")


class NoticeOccasion(LabeledEnum):
    CONFIRMATION = "confirmation", _l("選定の確定")
    PROMOTION = "promotion", _l("繰上げ選定")
