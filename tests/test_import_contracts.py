"""The import contracts in setup.cfg (``lint-imports``): what they see and what must hold."""
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("trainings", cache_dir=None)


def test_imports_inside_functions_count(graph):
    # create_app imports the blueprints inside the function body.
    assert graph.direct_import_exists(importer="trainings", imported="trainings.api")


def test_the_celery_worker_bootstrap_is_not_in_the_jobs_leaf(graph):
    assert not graph.direct_import_exists(importer="trainings.jobs", imported="trainings")
    assert graph.direct_import_exists(importer="trainings.worker", imported="trainings")


def _lint_imports(*contracts: str) -> subprocess.CompletedProcess:
    executable = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert executable, "lint-imports is missing: install the test lock (make install-test)"
    arguments = [executable, "--no-logo", "--no-cache"]
    for contract in contracts:
        arguments += ["--contract", contract]
    return subprocess.run(arguments, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_leaf_helpers_import_no_area_and_countries_timezones_do_not_import_i18n():
    result = _lint_imports("leaves", "language")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "2 kept, 0 broken" in result.stdout
