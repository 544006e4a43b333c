"""``flask --app wsgi enrolment ...``: import participants, promote the waiting list."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ..errors import DomainError
from ..extensions import db
from ..scheduling.services import get_training
from . import imports
from .services import promote_waitlisted

enrolment_cli = AppGroup("enrolment", help="Enrolments: imports and the waiting list.")


def _training(training_id: int):
    training = get_training(training_id)
    if training is None:
        raise click.ClickException(f"No training with id {training_id}.")
    return training


@enrolment_cli.command("import")
@click.argument("training_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and write nothing.")
def import_command(training_id, path, dry_run):
    """Import participants from a CSV or XLSX file into TRAINING_ID (all rows or none)."""
    training = _training(training_id)
    try:
        rows = imports.read_table(path.read_bytes(), path.name)
        if dry_run:
            checked = imports.preview(training, rows)
            for result in checked.errors:
                for error in result.errors:
                    click.echo(f"row {result.row}: {error['field']}: {error['message']}")
            click.echo(f"new {len(checked.new)}, skipped {len(checked.skipped)}, "
                       f"with errors {len(checked.errors)}")
            return
        result = imports.import_rows(training, rows)
    except DomainError as error:
        db.session.rollback()
        for detail in error.details:
            if "row" in detail:
                click.echo(f"row {detail['row']}: {detail['message']}", err=True)
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo("created {created}, accepted {accepted}, waitlisted {waitlisted}, "
               "skipped {skipped}".format(**result))


@enrolment_cli.command("promote")
@click.argument("training_id", type=int)
def promote_command(training_id):
    """Accept the oldest waitlisted enrolments that fit (e.g. after raising the capacity)."""
    promoted = promote_waitlisted(_training(training_id))
    db.session.commit()
    click.echo(f"promoted {len(promoted)}")
