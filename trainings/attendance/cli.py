"""``flask attendance ...``: import a meeting report from the command line."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ..errors import DomainError
from ..extensions import db
from . import services

attendance_cli = AppGroup("attendance", help="Attendance: meeting-report imports.")


@attendance_cli.command("import")
@click.argument("session_id", type=int)
@click.argument("report", type=click.Path(exists=True, dir_okay=False))
@click.option("--min-minutes", type=int, help="Minutes needed to count as present "
              "(default: the training's share of the session's length).")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def import_command(session_id, report, min_minutes, dry_run):
    """Import a Zoom, Google Meet or Teams participant REPORT into SESSION_ID."""
    try:
        session = services.get_session(session_id)
        data = Path(report).read_bytes()
        parsed = services.parse_upload(session, data)
        analysis = services.analyse(session, parsed.rows, platform=parsed.platform,
                                    filename=Path(report).name,
                                    min_minutes=services.validate_min_minutes(min_minutes))
        for person in analysis.changed:
            click.echo(f"{person.enrolment_name}: {person.current or '-'} -> {person.status} "
                       f"({person.minutes} min)")
        for person in analysis.unmatched:
            click.echo(f"unmatched: {person.name} <{person.email or '-'}> {person.minutes} min")
        if dry_run:
            db.session.rollback()
            click.echo("Dry run: nothing written.")
            return
        result = services.apply_one_step(session, analysis, actor=None)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"present {result['present']}, absent {result['absent']}, "
               f"unmatched {len(result['unmatched'])} (import {result['import']})")
