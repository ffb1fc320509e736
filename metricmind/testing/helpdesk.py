"""The helpdesk sample: a B2B support team's dbt project (accounts, agents, tickets, SLAs, CSAT surveys).

A third company's project, unlike the demo in every name: camel-ish source columns (``ticketId``,
``createdTs``, ``isDeleted``) renamed in staging to ``*_ts`` timestamps and ``is_*`` flags, schema
``analytics``, semantic models in ``models/semantic/*.yml``, percentile and average measures (first
response time p50 and mean), a resolution-rate and a CSAT ratio, and a day-end backlog snapshot
(``non_additive_dimension``). Soft-deleted tickets stay in the raw data and are filtered in the marts.

Generated data: seeded, a few thousand rows, 2024-01-01 to 2024-06-30; :func:`copy_helpdesk` gives a
built copy (profile target ``dev``: ``target/helpdesk.duckdb``).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from metricmind.testing.rawload import RawTable, build_duckdb, copy_project

HELPDESK = Path(__file__).parent / "projects" / "helpdesk"
SCHEMA = "analytics"
START = dt.datetime(2024, 1, 1)
DAYS = 182
PLANS = ("Enterprise", "Growth", "Starter")
REGIONS = ("AMER", "EMEA", "APAC")
CHANNELS = ("email", "chat", "phone", "web_form")
PRIORITIES = ("urgent", "high", "normal", "low")
TEAMS = ("Tier 1", "Tier 2", "Billing")
# minutes to first reply and hours to resolve, per priority (the SLA policy)
SLA = {"urgent": (30, 8), "high": (120, 24), "normal": (480, 72), "low": (1440, 120)}


#: The seed of the project's data (another seed builds the same project with other rows).
SEED = 23


def raw_tables(seed: int = SEED) -> dict[str, RawTable]:
    """The raw tables, the same for the same ``seed``."""
    rng = random.Random(seed)
    accounts = [
        (
            i,
            f"Acme {i:03d}",
            PLANS[i % 3],
            REGIONS[(i * 7) % 3],
            i % 17 == 0,
            START - dt.timedelta(days=rng.randrange(30, 900)),
        )
        for i in range(1, 121)
    ]
    agents = [
        (i, f"Agent {i:02d}", TEAMS[i % 3], START - dt.timedelta(days=rng.randrange(10, 700)), i % 11 != 0)
        for i in range(1, 31)
    ]
    tickets, surveys = [], []
    survey_id = 0
    for i in range(1, 3001):
        created = START + dt.timedelta(minutes=rng.randrange(DAYS * 24 * 60))
        priority = rng.choices(PRIORITIES, weights=(1, 3, 8, 4))[0]
        reply_target, solve_target = SLA[priority]
        replied = created + dt.timedelta(minutes=int(reply_target * rng.uniform(0.05, 1.6)))
        first: dt.datetime | None = replied
        solved: dt.datetime | None = None
        if rng.random() < 0.85:
            solved = replied + dt.timedelta(hours=solve_target * rng.uniform(0.1, 1.8))
        if solved and solved > START + dt.timedelta(days=DAYS):
            solved = None
        if rng.random() < 0.05:
            first = None
            solved = None
        status = "solved" if solved else rng.choice(("open", "pending"))
        deleted = rng.random() < 0.03
        tickets.append(
            (
                i,
                1 + rng.randrange(120),
                1 + rng.randrange(30),
                rng.choice(CHANNELS),
                priority,
                status,
                created,
                first,
                solved,
                deleted,
            )
        )
        if solved and rng.random() < 0.4:
            survey_id += 1
            score = rng.choices((1, 2, 3, 4, 5), weights=(1, 1, 2, 4, 6))[0]
            surveys.append((survey_id, i, solved + dt.timedelta(hours=rng.randrange(1, 48)), score))
    policies = [(p, t[0], t[1]) for p, t in SLA.items()]
    return {
        "accounts": RawTable(
            (
                ("accountId", "integer"),
                ("accountName", "varchar"),
                ("planName", "varchar"),
                ("salesRegion", "varchar"),
                ("isDeleted", "boolean"),
                ("createdTs", "timestamp"),
            ),
            accounts,
        ),
        "agents": RawTable(
            (
                ("agentId", "integer"),
                ("displayName", "varchar"),
                ("teamName", "varchar"),
                ("hiredTs", "timestamp"),
                ("isActive", "boolean"),
            ),
            agents,
        ),
        "tickets": RawTable(
            (
                ("ticketId", "integer"),
                ("accountId", "integer"),
                ("assigneeId", "integer"),
                ("viaChannel", "varchar"),
                ("priority", "varchar"),
                ("status", "varchar"),
                ("createdTs", "timestamp"),
                ("firstReplyTs", "timestamp"),
                ("solvedTs", "timestamp"),
                ("isDeleted", "boolean"),
            ),
            tickets,
        ),
        "sla_policies": RawTable(
            (("priority", "varchar"), ("firstReplyTargetMins", "integer"), ("resolveTargetHours", "integer")),
            policies,
        ),
        "csat_responses": RawTable(
            (
                ("responseId", "integer"),
                ("ticketId", "integer"),
                ("respondedTs", "timestamp"),
                ("rating", "integer"),
            ),
            surveys,
        ),
    }


def build_helpdesk(root: Path, db_path: Path | None = None, seed: int = SEED) -> Path:
    """Build the warehouse of the project at ``root`` (default ``root/target/helpdesk.duckdb``)."""
    path = db_path or root / "target" / "helpdesk.duckdb"
    return build_duckdb(root, path, raw_tables(seed), SCHEMA, {"zendesk": "raw"})


def copy_helpdesk(target: Path, seed: int = SEED) -> Path:
    """A copy of the helpdesk project in ``target`` with its warehouse built (profile target ``dev``)."""
    copy_project(HELPDESK, target)
    build_helpdesk(target, seed=seed)
    return target
