"""``metricmind vocabulary``: learned words of the question resolver — teach, list, review, remove.

A word applies to the person who taught it at once and to everyone once another person approves it
(see docs/ask.md). Who you are: the user of the token in ``$METRICMIND_TOKEN`` when it is set,
otherwise ``--user`` (default: the OS user). The catalog (and SQLAlchemy) opens inside the commands.
"""

from __future__ import annotations

import getpass
import os
from typing import Annotated, Any

import typer

from metricmind.interfaces.cli.common import ProjectOpt, dumps, fail, guarded, open_project, render_table
from metricmind.project import Project

vocabulary_app = typer.Typer(
    help="Learned words of the question resolver: yours at once, everyone's after review.",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
UserOpt = Annotated[
    str | None,
    typer.Option(
        "--user",
        "-u",
        help="Who you are in the catalog (default: the user of $METRICMIND_TOKEN, else the OS user).",
    ),
]
IdArg = Annotated[int, typer.Argument(metavar="ID", help="The word's id (see `metricmind vocabulary list`).")]
STATES = "draft, in_review, approved or rejected"


def whoami(project: Project, user: str | None) -> str:
    """The acting user: the token's (``$METRICMIND_TOKEN``), which ``--user`` may not contradict."""
    token = os.environ.get("METRICMIND_TOKEN", "").strip()
    if token:
        found = project.catalog.user_for_token(token)
        if found is None:
            fail("$METRICMIND_TOKEN is not the token of any user", "Unset it, or ask an admin for a new one.")
        if user and user != found["name"]:
            fail(f"$METRICMIND_TOKEN belongs to '{found['name']}', not '{user}'", "Leave out --user.")
        return str(found["name"])
    return user or getpass.getuser()


@guarded
def vocabulary_list(
    state: Annotated[str | None, typer.Option("--state", help=f"Only words that are {STATES}.")] = None,
    author: Annotated[str | None, typer.Option("--author", help="Only words taught by this user.")] = None,
    shared: Annotated[
        bool, typer.Option("--shared", help="List the shared words as metricmind/vocabulary.yml holds them.")
    ] = False,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List learned words: phrase, meaning, author, state (in_review words wait for an approver)."""
    vocabulary = open_project(project).vocabulary
    if shared:
        words = [w.to_dict() for w in vocabulary.shared()]
        if as_json:
            typer.echo(dumps(words))
            return
        cols = ["phrase", "kind", "target", "author", "approved_by"]
        typer.echo(render_table(cols, [[w.get(c, "") for c in cols] for w in words]))
        return
    found = vocabulary.entries(state, author)
    if as_json:
        typer.echo(dumps(found))
        return
    columns = ["id", "phrase", "kind", "target", "author", "state", "reviewer"]
    typer.echo(render_table(columns, [[w[c] for c in columns] for w in found]))


@guarded
def vocabulary_learn(
    phrase: Annotated[str, typer.Argument(help="The words, e.g. 'recurring dosh'.")],
    target: Annotated[str, typer.Argument(help="A metric, a dimension, or dimension=value.")],
    draft: Annotated[
        bool, typer.Option("--draft", help="Keep it to yourself (do not submit it for review).")
    ] = False,
    user: UserOpt = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Teach a word (editor): it applies to you at once and is submitted for review."""
    proj = open_project(project)
    word = proj.learn(whoami(proj, user), phrase, target, submit=not draft)
    _done(word, as_json)


@guarded
def vocabulary_edit(
    word_id: IdArg,
    target: Annotated[str, typer.Argument(help="What the phrase means instead.")],
    user: UserOpt = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Point your own word at another target; it goes back to review."""
    proj = open_project(project)
    _done(proj.edit_word(word_id, whoami(proj, user), target), as_json)


@guarded
def vocabulary_submit(
    word_id: IdArg, user: UserOpt = None, project: ProjectOpt = None, as_json: JsonOpt = False
) -> None:
    """Submit your own draft word for review."""
    proj = open_project(project)
    _done(proj.vocabulary.submit(word_id, whoami(proj, user)), as_json)


@guarded
def vocabulary_approve(
    word_id: IdArg, user: UserOpt = None, project: ProjectOpt = None, as_json: JsonOpt = False
) -> None:
    """Approve a word in review (approver, not its author): it applies to everyone."""
    proj = open_project(project)
    _done(proj.approve_word(word_id, whoami(proj, user)), as_json)


@guarded
def vocabulary_reject(
    word_id: IdArg,
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why (shown to the author).")] = "",
    user: UserOpt = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Reject a word in review (approver); it stays its author's own word."""
    proj = open_project(project)
    _done(proj.vocabulary.reject(word_id, whoami(proj, user), reason), as_json)


@guarded
def vocabulary_remove(
    word_id: Annotated[
        int | None, typer.Argument(metavar="[ID]", help="The word's id (see `metricmind vocabulary list`).")
    ] = None,
    phrase: Annotated[
        str | None,
        typer.Option(
            "--phrase", help="Remove the shared word with this phrase (one the store has no id for)."
        ),
    ] = None,
    user: UserOpt = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Remove a word: your own while it is yours alone; a shared one as an approver."""
    proj = open_project(project)
    if (word_id is None) == (phrase is None):
        fail("give a word's ID or --phrase, not both", "e.g. metricmind vocabulary remove 3")
    if phrase is not None:
        gone = proj.vocabulary.remove_shared(phrase, whoami(proj, user))
        if as_json:
            typer.echo(dumps({**gone.to_dict(), "removed": True}))
            return
        typer.echo(f"removed the shared word '{gone.phrase}' → {gone.target}")
        return
    assert word_id is not None
    word = proj.vocabulary.remove(word_id, whoami(proj, user))
    if as_json:
        typer.echo(dumps({**word, "removed": True}))
        return
    typer.echo(f"removed word #{word['id']} '{word['phrase']}' → {word['target']}")


def _done(word: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(dumps(word))
        return
    who = "everyone" if word["shared"] else f"{word['author']} only"
    typer.echo(
        f"word #{word['id']}: '{word['phrase']}' → {word['target']} ({word['kind']}), "
        f"{word['state'].replace('_', ' ')}; applies to {who}"
    )


def register(app: typer.Typer) -> None:
    """Add the ``vocabulary`` command group to ``app``."""
    for name, func in (
        ("list", vocabulary_list),
        ("learn", vocabulary_learn),
        ("edit", vocabulary_edit),
        ("submit", vocabulary_submit),
        ("approve", vocabulary_approve),
        ("reject", vocabulary_reject),
        ("remove", vocabulary_remove),
    ):
        vocabulary_app.command(name)(func)
    app.add_typer(vocabulary_app, name="vocabulary", help=vocabulary_app.info.help)
