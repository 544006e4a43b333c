"""``flask --app wsgi privacy retention [--dry-run]``: the retention task by hand."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from . import privacy

privacy_cli = AppGroup("privacy", help="Privacy tools: retention of personal data.")


@privacy_cli.command("retention")
@click.option("--dry-run", is_flag=True, help="Only list what would be erased.")
def retention_command(dry_run):
    """Erase personal data of trainings whose retention period has passed."""
    done = privacy.run_retention(dry_run=dry_run)
    for item in done:
        verb = "would erase" if dry_run else "erased"
        count = item["enrolments"] if dry_run else item.get("erased", 0)
        click.echo(f"training {item['training']}: {verb} {count} enrolments "
                   f"(due {item['due']})")
    if not done:
        click.echo("Nothing is due.")
