"""The pure workflow: every allowed transition, every refused one, roles and the four-eyes rule."""

from __future__ import annotations

import pytest

from metricmind.catalog.workflow import (
    Action,
    ChangeState,
    Role,
    Status,
    WorkflowError,
    change_step,
    role_of,
    status_of,
    status_step,
)
from metricmind.errors import PermissionDenied

D, R, A, X = ChangeState.DRAFT, ChangeState.IN_REVIEW, ChangeState.APPROVED, ChangeState.REJECTED

CHANGE_OK = [
    (Action.CREATE, None, D, Role.EDITOR),
    (Action.EDIT, D, D, Role.EDITOR),
    (Action.EDIT, X, D, Role.EDITOR),
    (Action.SUBMIT, D, R, Role.EDITOR),
    (Action.APPROVE, R, A, Role.APPROVER),
    (Action.REJECT, R, X, Role.APPROVER),
]


@pytest.mark.parametrize(("action", "before", "after", "least"), CHANGE_OK)
def test_allowed_change_steps_and_the_least_role(
    action: Action, before: ChangeState | None, after: ChangeState, least: Role
) -> None:
    for role in Role:
        if role.at_least(least):
            step = change_step(action, before, role=role, actor="me", author="you")
            assert (step.action, step.from_state, step.to_state) == (
                action,
                before.value if before else None,
                after.value,
            )
        else:
            with pytest.raises(PermissionDenied, match=f"needs {least.value}"):
                change_step(action, before, role=role, actor="me", author="you")


@pytest.mark.parametrize("action", [a for a, *_ in CHANGE_OK])
def test_every_other_change_state_is_refused(action: Action) -> None:
    allowed = {before for a, before, *_ in CHANGE_OK if a is action}
    for state in [None, *ChangeState]:
        if state in allowed:
            continue
        with pytest.raises(WorkflowError) as err:
            change_step(action, state, role=Role.ADMIN, actor="me", author="you")
        assert err.value.code == "workflow"
        assert f"cannot {action.value}" in err.value.message


def test_nobody_approves_their_own_change() -> None:
    for role in (Role.APPROVER, Role.ADMIN):
        with pytest.raises(PermissionDenied, match="cannot approve it") as err:
            change_step(Action.APPROVE, R, role=role, actor="ann", author="ann")
        assert err.value.hint and "four-eyes" in err.value.hint
    # Rejecting one's own change is allowed (withdrawing it).
    assert change_step(Action.REJECT, R, role=Role.APPROVER, actor="ann", author="ann").to_state == "rejected"


STATUS_OK = [
    (Action.PUBLISH, None, Status.PUBLISHED),
    *[(Action.PUBLISH, s, Status.PUBLISHED) for s in Status],
    (Action.CERTIFY, Status.PUBLISHED, Status.CERTIFIED),
    (Action.DEPRECATE, Status.PUBLISHED, Status.DEPRECATED),
    (Action.DEPRECATE, Status.CERTIFIED, Status.DEPRECATED),
]


@pytest.mark.parametrize(("action", "before", "after"), STATUS_OK)
def test_allowed_status_steps_need_an_approver(action: Action, before: Status | None, after: Status) -> None:
    assert status_step(action, before, role=Role.APPROVER).to_state == after.value
    assert status_step(action, before, role=Role.ADMIN).to_state == after.value
    for role in (Role.VIEWER, Role.EDITOR):
        with pytest.raises(PermissionDenied):
            status_step(action, before, role=role)


@pytest.mark.parametrize("action", [Action.CERTIFY, Action.DEPRECATE])
def test_refused_status_steps(action: Action) -> None:
    allowed = {before for a, before, _ in STATUS_OK if a is action}
    for status in [None, *Status]:
        if status in allowed:
            continue
        with pytest.raises(WorkflowError, match=f"cannot {action.value}"):
            status_step(action, status, role=Role.ADMIN)


def test_actions_belong_to_one_lifecycle() -> None:
    with pytest.raises(WorkflowError, match="not an action on a definition"):
        status_step(Action.SUBMIT, Status.PUBLISHED, role=Role.ADMIN)
    with pytest.raises(WorkflowError, match="not an action on a change"):
        change_step(Action.CERTIFY, D, role=Role.ADMIN)


def test_roles_and_statuses_from_text() -> None:
    assert [r.rank for r in Role] == [0, 1, 2, 3]
    assert role_of(" Approver ") is Role.APPROVER
    with pytest.raises(WorkflowError, match="unknown role") as err:
        role_of("owner")
    assert err.value.hint and "viewer" in err.value.hint
    assert status_of("certified") is Status.CERTIFIED
    assert status_of(None) is Status.PUBLISHED
    assert status_of("verified") is Status.PUBLISHED
    assert status_of("", default=Status.DRAFT) is Status.DRAFT
