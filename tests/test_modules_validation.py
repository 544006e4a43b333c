"""The module validator: each kind of problem, named with its file; the CLI's exit codes."""
import shutil
from pathlib import Path

import pytest

from trainings.modules.validation import validate

MINI = Path(__file__).parent / "data" / "modules" / "mini"


@pytest.fixture
def module(tmp_path):
    target = tmp_path / "shipped" / "mini"
    shutil.copytree(MINI, target)
    return target


def codes(report):
    return {(p.code, p.file) for p in report.problems}


def test_a_good_module_is_valid_and_pairs_sections(app, module):
    report = validate(module)
    assert report.ok, [str(p) for p in report.problems]
    assert report.module.numbers == [1, 2]
    assert report.module.sections["en"][1].title == "Opening"
    assert report.module.logos == ["logos/logo.svg"]
    assert report.module.session_map() == {1: 1, 2: 2}


def test_section_missing_in_one_language(app, module):
    (module / "en" / "02-closing.md").unlink()
    report = validate(module)
    assert ("unpaired_section", "id/02-penutup.md") in codes(report)
    assert "en/02" in str(report.problems[0].message)


def test_missing_language_folder(app, module):
    shutil.rmtree(module / "en")
    assert ("missing_language", "en/") in codes(validate(module))


def test_unpaired_numbers_and_gaps(app, module):
    (module / "en" / "02-closing.md").rename(module / "en" / "03-closing.md")
    (module / "id" / "02-penutup.md").rename(module / "id" / "04-penutup.md")
    found = codes(validate(module))
    assert ("unpaired_section", "id/04-penutup.md") in found
    assert ("unpaired_section", "en/03-closing.md") in found
    assert any(code == "numbering_gap" for code, _ in found)


def test_badly_named_and_duplicate_sections(app, module):
    (module / "id" / "notes.md").write_text("# Catatan\n\nteks", encoding="utf-8")
    (module / "id" / "02-lagi.md").write_text("# Lagi\n\nteks", encoding="utf-8")
    found = codes(validate(module))
    assert ("bad_name", "id/notes.md") in found
    assert any(code == "duplicate_number" for code, _ in found)


def test_missing_and_outside_images(app, module):
    (module / "images" / "diagram.svg").unlink()
    (module / "en" / "02-closing.md").write_text(
        "# Closing\n\n![x](https://example.org/x.png)\n\n![y](../../secret.png)\n",
        encoding="utf-8")
    report = validate(module)
    found = codes(report)
    assert ("missing_image", "id/01-pembuka.md") in found
    assert ("missing_image", "en/01-opening.md") in found
    outside = [p for p in report.problems if p.code == "bad_image"]
    assert len(outside) == 2 and all(p.file == "en/02-closing.md" for p in outside)
    assert outside[0].line == 3


def test_empty_sections_and_missing_titles(app, module):
    (module / "id" / "02-penutup.md").write_text("# Penutup\n\n", encoding="utf-8")
    (module / "en" / "02-closing.md").write_text("Just text, no title.\n", encoding="utf-8")
    found = codes(validate(module))
    assert ("empty_section", "id/02-penutup.md") in found
    assert ("missing_title", "en/02-closing.md") in found


def test_not_utf8(app, module):
    (module / "en" / "02-closing.md").write_bytes(b"# Closing\n\n\xff\xfe caf\xe9\n")
    assert ("bad_encoding", "en/02-closing.md") in codes(validate(module))


@pytest.mark.parametrize("toml, expected", [
    ("this is = not [ toml", "not valid TOML"),
    ('version = "1"\nlicence = "x"\n[title]\nid = "A"\n[[authors]]\nname = "B"\n',
     "title needs a text in both languages"),
    ('licence = "x"\n[title]\nid = "A"\nen = "B"\n[[authors]]\nname = "B"\n', "version"),
    ('version = "1"\nlicence = "x"\n[title]\nid = "A"\nen = "B"\n', "authors"),
    ('version = "1"\nlicence = "x"\n[title]\nid = "A"\nen = "B"\n[[authors]]\nname = "B"\n'
     '[[sessions]]\nnumber = 1\nsection = 9\n', "section 09"),
])
def test_bad_module_toml(app, module, toml, expected):
    (module / "module.toml").write_text(toml, encoding="utf-8")
    report = validate(module)
    messages = [str(p.message) for p in report.problems if p.file == "module.toml"]
    assert any(expected in m for m in messages), messages


def test_missing_module_toml(app, module):
    (module / "module.toml").unlink()
    assert ("missing_metadata", "module.toml") in codes(validate(module))


def test_cli_check_exit_codes(app_factory, module):
    app = app_factory(MODULES_DIR=str(module.parent))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["modules", "check"])
    assert result.exit_code == 0, result.output
    assert "ok   mini" in result.output
    (module / "en" / "02-closing.md").unlink()
    result = runner.invoke(args=["modules", "check", "mini"])
    assert result.exit_code == 1
    assert "id/02-penutup.md" in result.output and "FAIL mini" in result.output
    result = runner.invoke(args=["modules", "check", "no-such-module"])
    assert result.exit_code != 0 and "no-such-module" in result.output


def test_the_demo_module_is_valid(app):
    report = validate(Path(__file__).parent.parent / "modules" / "kepemimpinan-perempuan")
    assert report.ok, [str(p) for p in report.problems]
    module = report.module
    assert module.numbers == list(range(1, 8))
    assert module.session_map() == {n: n for n in range(1, 8)}
