"""Flask commands, thin over the services: ``flask --app wsgi <command>``."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from .attendance.cli import attendance_cli
from .certificates.cli import certificates_cli
from .enrolment.cli import enrolment_cli
from .errors import DomainError
from .evaluation.cli import evaluation_cli
from .extensions import db
from .modules.cli import modules_cli

users_cli = AppGroup("users", help="Manage user accounts and API tokens.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", type=click.Choice(["admin", "organiser", "facilitator", "participant"]),
              default="participant", show_default=True)
@click.option("--password", help="Password (at least 10 characters); prompted when omitted.")
@click.option("--language", type=click.Choice(["id", "en"]), default="en", show_default=True)
@click.option("--timezone", default="Asia/Jakarta", show_default=True, help="IANA time zone.")
def create_user_command(email, name, role, password, language, timezone):
    """Create a user account with EMAIL."""
    from .auth.services import create_user
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, name, role=role, password=password, language=language,
                           timezone=timezone)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
def token_command(email, name):
    """Create an API token for EMAIL and print it (as the last line; shown only once)."""
    from .auth.services import get_user_by_email, issue_token
    user = get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with email {email}.")
    token = issue_token(user, name)
    db.session.commit()
    click.echo(f"API token for {user.email} (keep it secret; it is not shown again):")
    click.echo(token)


@click.command("demo")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
def demo_command(quiet):
    """Load the demo course (safe to run again: it changes nothing the second time)."""
    from .demo import demo_logins, load_demo
    training, created = load_demo()
    db.session.commit()
    if quiet:
        return
    click.echo(("Loaded" if created else "Already loaded:") + f" demo course #{training.id}, "
               f"{training.title_en}")
    click.echo("Demo logins:")
    for role, email, password in demo_logins():
        click.echo(f"  {role:<12} {email:<32} {password}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(attendance_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(enrolment_cli)
    app.cli.add_command(modules_cli)
    app.cli.add_command(certificates_cli)
    app.cli.add_command(evaluation_cli)
