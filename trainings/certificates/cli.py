"""``flask --app wsgi certificates ...``: thin over the services."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from .. import jobs
from ..errors import DomainError
from ..extensions import db
from ..scheduling.models import Training
from . import openbadges, services

certificates_cli = AppGroup("certificates", help="Issue and check certificates.")


@certificates_cli.command("issue-all")
@click.argument("training_id", type=int)
@click.option("--base-url", help="Public base URL for the QR codes (default: PUBLIC_BASE_URL).")
def issue_all_command(training_id, base_url):
    """Issue (and render) every missing certificate of TRAINING_ID, here and now."""
    training = db.session.get(Training, training_id)
    if training is None:
        raise click.ClickException(f"No training {training_id}.")
    base = base_url or current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        raise click.ClickException("Give --base-url or set PUBLIC_BASE_URL.")
    try:
        job = services.start_issue_all(training, actor=None, base=base)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    jobs.run(job.id)
    job = jobs.get(job.id)
    click.echo(f"Job {job.id}: {job.state}, {job.result.get('issued', 0)} issued"
               + (f" ({job.error})" if job.error else ""))


@certificates_cli.command("verify")
@click.argument("code")
def verify_command(code):
    """Show the status of a certificate code."""
    certificate = services.get_by_code(code)
    if certificate is None:
        raise click.ClickException("No certificate has this code.")
    click.echo(f"{certificate.code}: {certificate.status}, {certificate.name}")


@certificates_cli.command("issuer-key")
def issuer_key_command():
    """Print the Open Badges issuer's public key (made on first use)."""
    click.echo(openbadges.public_multibase(openbadges.private_key().public_key()))


@certificates_cli.command("rotate-key")
def rotate_key_command():
    """Make a new Open Badges signing key; the old ones stay published in the issuer
    profile, so credentials signed with them still verify."""
    number = openbadges.rotate_key()
    click.echo(f"key-{number}: "
               + openbadges.public_multibase(openbadges.private_key().public_key()))
