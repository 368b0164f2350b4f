"""Menu proposal workflow and the delivery formats shared with support sessions."""
from flask_babel import lazy_gettext as _l

from app.core.states import LabeledEnum


class DeliveryFormat(LabeledEnum):
    ONSITE = "onsite", _l("対面")
    ONLINE = "online", _l("オンライン")
    HYBRID = "hybrid", _l("対面・オンライン併用")


class ProposalState(LabeledEnum):
    DRAFT = "draft", _l("下書き")
    SUBMITTED = "submitted", _l("提出済")
    ADOPTED = "adopted", _l("採択")
    REJECTED = "rejected", _l("不採択")


TRANSITIONS = {
    ProposalState.DRAFT: {ProposalState.SUBMITTED},
    ProposalState.SUBMITTED: {ProposalState.ADOPTED, ProposalState.REJECTED, ProposalState.DRAFT},
    ProposalState.ADOPTED: {ProposalState.SUBMITTED},  # undo while the menu is not yet published
    ProposalState.REJECTED: {ProposalState.SUBMITTED},
}
