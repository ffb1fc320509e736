"""The governance workflow: a pure state machine (no I/O) for proposed changes and published definitions.

Two lifecycles, one set of roles (viewer < editor < approver < admin)::

    change (a proposed definition)         definition (a metric or canonical dataset in the catalog)
    draft ──submit──► in_review            draft / in_review ──(its change approved)──► published
      ▲                 │    │             published ──certify──► certified
      └──edit── rejected◄┘    └─approve─► approved   published / certified ──deprecate──► deprecated

Editors create, edit and submit; approvers approve, reject, certify and deprecate; nobody approves a
change they wrote or edited (four eyes: whoever edits another's change becomes its co-author). :func:`change_step` and :func:`status_step` return the :class:`Step` taken or raise
:class:`WorkflowError` (an illegal transition) or :class:`~metricmind.errors.PermissionDenied`.

>>> change_step(Action.SUBMIT, ChangeState.DRAFT, role=Role.EDITOR).to_state
<ChangeState.IN_REVIEW: 'in_review'>
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass

from metricmind.errors import MetricmindError, PermissionDenied


class Role(str, enum.Enum):
    """What a user may do; each role may do everything the roles before it may."""

    VIEWER = "viewer"
    EDITOR = "editor"
    APPROVER = "approver"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """0 for viewer … 3 for admin."""
        return list(Role).index(self)

    def at_least(self, other: Role) -> bool:
        """True when this role is ``other`` or above."""
        return self.rank >= other.rank


class ChangeState(str, enum.Enum):
    """Where a proposed change is."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"


class Status(str, enum.Enum):
    """Where a definition (metric or canonical dataset) is."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    CERTIFIED = "certified"
    DEPRECATED = "deprecated"


class Action(str, enum.Enum):
    """Something a user does."""

    CREATE = "create"
    EDIT = "edit"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    PUBLISH = "publish"
    CERTIFY = "certify"
    DEPRECATE = "deprecate"


class WorkflowError(MetricmindError):
    """The action is not allowed in the object's current state."""

    code = "workflow"


@dataclass(frozen=True)
class Rule:
    """An action: the states it starts from, the state it leads to, and the least role it needs."""

    sources: frozenset[str | None]
    target: str
    role: Role


_CHANGE_RULES: dict[Action, Rule] = {
    Action.CREATE: Rule(frozenset({None}), ChangeState.DRAFT.value, Role.EDITOR),
    Action.EDIT: Rule(
        frozenset({ChangeState.DRAFT.value, ChangeState.REJECTED.value}), ChangeState.DRAFT.value, Role.EDITOR
    ),
    Action.SUBMIT: Rule(frozenset({ChangeState.DRAFT.value}), ChangeState.IN_REVIEW.value, Role.EDITOR),
    Action.APPROVE: Rule(frozenset({ChangeState.IN_REVIEW.value}), ChangeState.APPROVED.value, Role.APPROVER),
    Action.REJECT: Rule(frozenset({ChangeState.IN_REVIEW.value}), ChangeState.REJECTED.value, Role.APPROVER),
}

_STATUS_RULES: dict[Action, Rule] = {
    # Approving a change publishes it, whatever the definition's state was (a new version).
    Action.PUBLISH: Rule(
        frozenset({None, *(s.value for s in Status)}), Status.PUBLISHED.value, Role.APPROVER
    ),
    Action.CERTIFY: Rule(frozenset({Status.PUBLISHED.value}), Status.CERTIFIED.value, Role.APPROVER),
    Action.DEPRECATE: Rule(
        frozenset({Status.PUBLISHED.value, Status.CERTIFIED.value}), Status.DEPRECATED.value, Role.APPROVER
    ),
}

_HINTS: dict[Action, str] = {
    Action.EDIT: "Only drafts and rejected changes can be edited; create a new draft instead.",
    Action.SUBMIT: "Only drafts can be submitted; edit a rejected change first (it becomes a draft).",
    Action.APPROVE: "Only changes in review can be approved; submit the draft first.",
    Action.REJECT: "Only changes in review can be rejected.",
    Action.CERTIFY: "Only published definitions can be certified.",
    Action.DEPRECATE: "Only published or certified definitions can be deprecated.",
}


@dataclass(frozen=True)
class Step:
    """One transition taken: what was done, from which state, to which state."""

    action: Action
    from_state: str | None
    to_state: str


def role_of(value: str | Role) -> Role:
    """The ``Role`` called ``value``; an unknown name is a ``WorkflowError`` listing the roles."""
    if isinstance(value, Role):
        return value
    try:
        return Role(str(value).strip().lower())
    except ValueError:
        raise WorkflowError(
            f"unknown role {value!r}", hint=f"Use one of {', '.join(r.value for r in Role)}."
        ) from None


def _check_role(action: Action, rule: Rule, role: str | Role) -> None:
    have = role_of(role)
    if not have.at_least(rule.role):
        raise PermissionDenied(
            f"a {have.value} cannot {action.value}; this needs {rule.role.value} or above",
            hint="Ask an admin for a higher role: metricmind users add NAME --role " + rule.role.value,
        )


def _step(rules: dict[Action, Rule], what: str, action: Action, state: str | None, role: str | Role) -> Step:
    rule = rules.get(action)
    if rule is None:
        raise WorkflowError(f"{action.value!r} is not an action on a {what}")
    _check_role(action, rule, role)
    current = state.value if isinstance(state, enum.Enum) else state
    if current not in rule.sources:
        allowed = sorted(s for s in rule.sources if s is not None)
        raise WorkflowError(
            f"cannot {action.value} a {what} that is {current or 'new'} (allowed from: {', '.join(allowed)})",
            hint=_HINTS.get(action),
        )
    return Step(action, current, rule.target)


def change_step(
    action: Action,
    state: ChangeState | str | None,
    *,
    role: Role | str,
    actor: str | None = None,
    author: str | None = None,
    editors: Collection[str] = (),
) -> Step:
    """The step ``action`` takes on a change in ``state`` done by ``actor`` (with ``role``).

    ``author`` wrote the change and ``editors`` are the others who edited any version of it (its
    co-authors); none of them may approve it.

    Raises ``PermissionDenied`` when the role is too low or an approver approves a change they wrote
    or edited, and ``WorkflowError`` when the change is in the wrong state.
    """
    step = _step(_CHANGE_RULES, "change", action, state, role)
    if action is Action.APPROVE and actor is not None:
        if author is not None and actor == author:
            raise PermissionDenied(
                f"user '{actor}' wrote this change and cannot approve it",
                hint="Another approver must review it (four-eyes rule).",
            )
        if actor in editors:
            raise PermissionDenied(
                f"user '{actor}' edited this change (co-author of {author or 'another'}'s change) "
                "and cannot approve it",
                hint="An approver who neither wrote nor edited it must review it (four-eyes rule).",
            )
    return step


def status_step(action: Action, status: Status | str | None, *, role: Role | str) -> Step:
    """The step ``action`` (publish, certify, deprecate) takes on a definition in ``status``."""
    return _step(_STATUS_RULES, "definition", action, status, role)


def status_of(meta_status: object, *, default: Status = Status.PUBLISHED) -> Status:
    """The ``Status`` named by ``config.meta.status`` (or a dataset's certification); else ``default``."""
    text = str(meta_status or "").strip().lower()
    try:
        return Status(text)
    except ValueError:
        return default


__all__ = [
    "Action",
    "ChangeState",
    "Role",
    "Rule",
    "Status",
    "Step",
    "WorkflowError",
    "change_step",
    "role_of",
    "status_of",
    "status_step",
]
