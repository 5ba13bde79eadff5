"""Two people act on one hazard at the same moment: exactly one wins, the other is told to
refresh, and the timeline holds one entry. Real threads and connections, so PostgreSQL only
(SQLite serialises writers with its database lock, which the single-thread conflict test in
test_services covers)."""

import threading

import pytest
from django.db import connection

from hazardloop.hazards import services
from hazardloop.hazards.choices import EventName, HazardStatus

from .conftest import far_deadline

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks across connections"),
]


def _race(*actions):
    """Run the actions in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(i, action):
        try:
            barrier.wait()
            outcomes[i] = action()
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def _issue(hazard, actor):
    return lambda: services.issue_notice(
        hazard, actor=actor, version=hazard.version, requirements="整改", deadline=far_deadline()
    )


def _overturn(hazard, actor):
    return lambda: services.overturn_hazard(hazard, actor=actor, version=hazard.version, reason="误判")


def test_the_same_transition_twice_at_once_happens_once(loop, personas):
    hazard = loop.routed()
    events_before = hazard.events.count()
    outcomes = _race(_issue(hazard, personas.safety_unit), _issue(hazard, personas.bureau))
    conflicts = [o for o in outcomes if isinstance(o, services.HazardConflict)]
    wins = [o for o in outcomes if not isinstance(o, Exception)]
    assert (len(wins), len(conflicts)) == (1, 1), outcomes
    assert str(conflicts[0]) == "该隐患已被他人处理，请刷新后重试"
    hazard = loop.fresh(hazard)
    assert hazard.status == HazardStatus.RECTIFYING
    assert hazard.events.count() == events_before + 1
    assert hazard.events.filter(name=EventName.ISSUE_NOTICE).count() == 1
    assert hazard.notices.count() == 1


def test_two_different_transitions_at_once_leave_one_outcome(loop, personas):
    hazard = loop.routed()
    events_before = hazard.events.count()
    outcomes = _race(_issue(hazard, personas.safety_unit), _overturn(hazard, personas.bureau))
    assert sum(isinstance(o, services.HazardConflict) for o in outcomes) == 1, outcomes
    hazard = loop.fresh(hazard)
    winner = EventName.ISSUE_NOTICE if not isinstance(outcomes[0], Exception) else EventName.OVERTURN
    assert hazard.status == (
        HazardStatus.RECTIFYING if winner == EventName.ISSUE_NOTICE else HazardStatus.OVERTURNED
    )
    assert list(hazard.events.values_list("name", flat=True))[events_before:] == [winner]
