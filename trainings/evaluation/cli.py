"""``flask evaluation ...``: queue the follow-up mails that are due."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db

evaluation_cli = AppGroup("evaluation", help="Evaluation: action-plan follow-up mails.")


@evaluation_cli.command("follow-ups")
@click.option("--now", help="Pretend it is this ISO instant (with offset), e.g. for a test.")
def follow_ups_command(now):
    """Queue every follow-up mail that is due (once per person and offset) in the outbox."""
    from ..errors import DomainError
    from ..timezones import parse_aware
    from .services import send_due_follow_ups
    try:
        instant = parse_aware(now, field="now") if now else None
        queued = send_due_follow_ups(instant)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(f"{queued} follow-up mail(s) queued.")
