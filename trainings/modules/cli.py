"""``flask --app wsgi modules check|build``."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..errors import DomainError
from . import services

modules_cli = AppGroup("modules", help="Check and build the training modules.")


@modules_cli.command("check")
@click.argument("slug", required=False)
def check_command(slug):
    """Validate every module (or SLUG); exit 1 when a problem is found."""
    try:
        reports = [services.check_module(slug)] if slug else services.check_all()
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    if not reports:
        click.echo("No modules found.")
    failed = 0
    for report in reports:
        if report.ok:
            module = report.module
            click.echo(f"ok   {report.slug}: {len(module.numbers)} sections in id and en "
                       f"({report.path})")
            continue
        failed += 1
        click.echo(f"FAIL {report.slug}: {len(report.problems)} problem(s) ({report.path})")
        for problem in report.problems:
            click.echo(f"  {problem}")
    if failed:
        raise SystemExit(1)


@modules_cli.command("build")
@click.argument("slug", required=False)
def build_command(slug):
    """Pre-build the PDF editions of every valid module (or SLUG) into the cache."""
    if slug:
        slugs = [slug]
    else:
        reports = services.check_all()
        slugs = [r.slug for r in reports if r.ok]
        for report in reports:
            if not report.ok:
                click.echo(f"skipped {report.slug}: {len(report.problems)} problem(s); "
                           f"run `flask modules check {report.slug}`", err=True)
    try:
        built = services.build_all(slugs)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    for name, edition, result in built:
        state = "built " if result.rendered else "cached"
        click.echo(f"{state} {name} {edition:<9} {result.path}")
