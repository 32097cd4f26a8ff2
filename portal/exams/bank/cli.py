"""`flask --app app quizzes check|sync|import`: the question banks from the command line."""
import sys
from itertools import groupby
from operator import attrgetter
from pathlib import Path

import click
from flask.cli import with_appcontext

from portal.exams.bank.checker import bank_root, display_name, load
from portal.exams.bank.questions import TAG_PATTERN
from portal.org.tracks import TRACKS

PATHS = click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))


def _cues(loaded) -> None:
    """Per bank, how often the longest option is the key (one line, each language), then
    the warnings: cues a test-wise taker could use, which do not fail the check."""
    for file, figures in groupby(loaded.figures, key=attrgetter("file")):
        first, *others = figures
        click.echo(f"{file}: {first}" + "".join(f"; {other.language} {other.hits} of"
                                                f" {other.questions}" for other in others))
    for warning in loaded.warnings:
        click.echo(f"{warning.file}:{warning.line}: warning: {warning.message}")
    if loaded.warnings:
        click.echo(f"{len(loaded.warnings)} warning(s): cues a test-wise taker could use;"
                   " the check still passes")


def _fail(problems, note: str) -> None:
    for problem in problems:
        click.echo(str(problem))
    click.echo(f"{len(problems)} problem(s); {note}", err=True)
    sys.exit(1)


@click.group("quizzes")
def quizzes():
    """Question banks in quizzes/: check, sync, import from Moodle."""


@quizzes.command("check")
@PATHS
def check_command(paths):
    """Check the bank files under PATHS (default: the quizzes/ folder)."""
    loaded = load(paths or [bank_root()])
    if loaded.problems:
        _fail(loaded.problems, "fix them before syncing")
    summary = loaded.summary()
    click.echo(f"{summary['questions']} questions in {summary['files']} files, no problems")
    for title in ("tracks", "tags"):
        click.echo(f"{title}: " + ", ".join(f"{name} {count}"
                                            for name, count in summary[title].items()))
    _cues(loaded)


@quizzes.command("sync")
@PATHS
@with_appcontext
def sync_command(paths):
    """Load the bank files under PATHS (default: quizzes/) into the database; a folder
    retires the questions of its track(s) that are no longer in it."""
    from portal.core.audit import cli_actor
    from portal.exams.bank.sync import COUNTS, sync
    from portal.extensions import db
    cli_actor("quizzes-sync")
    result = sync(paths or [bank_root()])
    if result["problems"]:
        db.session.rollback()
        _fail(result["problems"], "nothing was loaded")
    db.session.commit()
    click.echo(", ".join(f"{result[name]} {name}" for name in COUNTS))


def _tag(ctx, param, value):
    if not TAG_PATTERN.fullmatch(value):
        raise click.BadParameter("lower-case letters, digits and dashes, e.g. sales-habits")
    return value


@quizzes.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(("gift", "aiken")), required=True)
@click.option("--track", type=click.Choice(TRACKS), required=True)
@click.option("--tag", required=True, callback=_tag, help="Tag of every imported question.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="YAML file to write (default: quizzes/TRACK/FILE-NAME.yaml).")
@with_appcontext
def import_command(file, fmt, track, tag, out):
    """Convert a Moodle GIFT or Aiken FILE into a bank file to review and commit."""
    from portal.exams.bank.importing import convert, taken_ids
    out = out or bank_root() / track / f"{file.stem}.yaml"
    if out.exists():
        raise click.ClickException(f"{display_name(out)} exists; choose another --out")
    try:
        text = file.read_text(encoding="utf-8-sig")  # Windows editors add a BOM
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{file} is not UTF-8 text") from exc
    result = convert(text, fmt, file=display_name(file), track=track, tag=tag,
                     taken=taken_ids([bank_root(), out.parent]))
    if result.problems:
        _fail(result.problems, "nothing was written")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(result.text, encoding="utf-8")
    click.echo(f"wrote {result.count} questions to {display_name(out)}; review them, then"
               " run `flask --app app quizzes check`")
