"""The lock files hold every dependency that setup.cfg declares (scripts/check_lock.py)."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("check_lock", ROOT / "scripts" / "check_lock.py")
check_lock = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_lock)


def test_the_lock_files_hold_every_declared_dependency():
    found = check_lock.problems()
    assert not found, "\n".join(found) + "\nRun `make lock` and commit requirements*.lock."


def _project(tmp_path, install_requires, test_extra, runtime_lock, test_lock):
    (tmp_path / "setup.cfg").write_text(
        "[options]\ninstall_requires =\n" + "".join(f"    {r}\n" for r in install_requires)
        + "[options.extras_require]\ntest =\n" + "".join(f"    {r}\n" for r in test_extra)
        + "postgres =\njobs =\n")
    (tmp_path / "requirements.lock").write_text(runtime_lock)
    (tmp_path / "requirements-test.lock").write_text(test_lock)
    return tmp_path


def test_a_dependency_missing_from_a_lock_or_outside_its_range_is_reported(tmp_path):
    lock = "flask==3.1.3 \\\n    --hash=sha256:ab\n    # via anyam (setup.cfg)\nsegno==1.6.6\n"
    root = _project(tmp_path, ["Flask>=3.0,<4", "segno>=2", "Newthing>=1"], ["pytest>=8"],
                    lock, lock + "pytest==9.2.0\n")
    found = check_lock.problems(root)
    assert "requirements.lock lacks Newthing>=1 (setup.cfg install_requires)" in found
    assert "requirements-test.lock lacks Newthing>=1 (setup.cfg install_requires)" in found
    assert "requirements.lock pins segno==1.6.6, outside segno>=2 (setup.cfg install_requires)" \
        in found
    assert len(found) == 4  # flask and pytest are fine


def test_a_test_dependency_only_needs_the_test_lock_and_versions_must_agree(tmp_path):
    root = _project(tmp_path, ["Flask>=3"], ["pytest>=8"], "flask==3.1.3\n",
                    "flask==3.1.2\npytest==9.2.0\n")
    assert check_lock.problems(root) == [
        "flask is 3.1.3 in requirements.lock but 3.1.2 in requirements-test.lock"]
