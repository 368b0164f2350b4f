"""The workflow helper: check_transition and labelled enums."""
import pytest
from flask_babel import lazy_gettext as _l

from app.core.states import LabeledEnum, TransitionError, check_transition


class Colour(LabeledEnum):
    DRAFT = "draft", _l("下書き")
    SENT = "sent", _l("送付済")
    DONE = "done"


TRANSITIONS = {Colour.DRAFT: {Colour.SENT}, Colour.SENT: {Colour.DONE, Colour.DRAFT}, Colour.DONE: set()}


@pytest.mark.parametrize(("src", "dst"), [(Colour.DRAFT, Colour.SENT), (Colour.SENT, Colour.DONE), (Colour.SENT, Colour.DRAFT)])
def test_allowed_edges_pass(src, dst):
    assert check_transition("sample", TRANSITIONS, src, dst) is None


@pytest.mark.parametrize(("src", "dst"), [
    (Colour.DRAFT, Colour.DONE), (Colour.DONE, Colour.DRAFT), (Colour.DRAFT, Colour.DRAFT), (Colour.DONE, Colour.DONE),
])
def test_refused_edges_raise(src, dst):
    with pytest.raises(TransitionError) as info:
        check_transition("sample", TRANSITIONS, src, dst)
    assert (info.value.workflow, info.value.from_state, info.value.to_state) == ("sample", src.value, dst.value)
    assert f"{src.value} -> {dst.value}" in str(info.value)


def test_a_state_missing_from_the_table_has_no_edges():
    with pytest.raises(TransitionError):
        check_transition("sample", {}, Colour.DRAFT, Colour.SENT)


def test_string_values_match_enum_members():
    check_transition("sample", TRANSITIONS, "draft", "sent")  # StrEnum: stored values compare equal


def test_labels_and_choices(app):
    with app.test_request_context():
        assert Colour.DRAFT.label == "下書き" and Colour.DONE.label == "done"
        assert [(c.value, str(c.label)) for c in Colour.choices()] == [("draft", "下書き"), ("sent", "送付済"), ("done", "done")]
        assert Colour("sent") is Colour.SENT and Colour.SENT == "sent"


def test_every_domain_transition_table_uses_its_own_states():
    from app.calls import states as calls
    from app.cases import states as cases
    from app.engagements import states as engagements
    from app.menus import states as menus

    for table, enum in ((calls.TRANSITIONS, calls.CallPhase), (cases.TRANSITIONS, cases.CaseState),
                        (engagements.TRANSITIONS, engagements.EngagementState), (menus.TRANSITIONS, menus.ProposalState)):
        assert set(table) <= set(enum)
        assert all(set(targets) <= set(enum) for targets in table.values())
