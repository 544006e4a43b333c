"""Every setting the code reads is declared once in DefaultConfig, with no inline default."""
from __future__ import annotations

import ast
from pathlib import Path

from trainings.config import DefaultConfig

PACKAGE = Path(__file__).resolve().parents[1] / "trainings"


def _is_config(node: ast.AST) -> bool:
    """``app.config``, ``current_app.config``, ``flask_app.config`` or a local ``config``."""
    return (isinstance(node, ast.Attribute) and node.attr == "config") or (
        isinstance(node, ast.Name) and node.id == "config")


def config_reads(tree: ast.AST):
    """(line, key node, has inline default) for every ``config[...]`` / ``config.get(...)``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_config(node.value):
            yield node.lineno, node.slice, False
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in ("get", "setdefault", "pop") and _is_config(node.func.value)
              and node.args):
            yield node.lineno, node.args[0], len(node.args) > 1 or bool(node.keywords)


def problems(source: str, where: str, declared: set[str]) -> list[str]:
    found = []
    for line, key, has_default in config_reads(ast.parse(source)):
        place = f"{where}:{line}"
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            found.append(f"{place}: a setting read with a computed key ({ast.unparse(key)}); "
                         "use the setting's name")
            continue
        if key.value not in declared:
            found.append(f"{place}: {key.value} is not declared in trainings/config.py DefaultConfig")
        if has_default:
            found.append(f"{place}: {key.value} read with an inline default; the default "
                         "belongs in DefaultConfig")
    return found


def declared_settings() -> set[str]:
    return {name for name in vars(DefaultConfig) if name.isupper()}


def test_every_setting_read_by_the_code_is_declared_in_default_config():
    declared = declared_settings()
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += problems(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent)),
                          declared)
    assert not found, "\n".join(found)


def test_the_scan_catches_undeclared_settings_inline_defaults_and_computed_keys():
    source = ("from flask import current_app\n"
              "a = current_app.config['MAIL_SERVER']\n"
              "b = current_app.config.get('NOT_DECLARED_ANYWHERE')\n"
              "config = current_app.config\n"
              "c = config.get('MAIL_PORT', 25)\n"
              "d = app.config[name]\n")
    found = problems(source, "x.py", declared_settings())
    assert len(found) == 3
    assert "x.py:3: NOT_DECLARED_ANYWHERE is not declared" in found[0]
    assert "x.py:5: MAIL_PORT read with an inline default" in found[1]
    assert "computed key (name)" in found[2]


def test_every_declared_setting_has_a_comment_or_a_group_heading():
    """Each setting is explained where it is declared (a trailing or a preceding comment)."""
    lines = (PACKAGE / "config.py").read_text(encoding="utf-8").splitlines()
    tree = ast.parse("\n".join(lines))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "DefaultConfig")
    missing = []
    for stmt in cls.body:
        if not isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            continue
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
        index = stmt.lineno - 1
        above = index - 1
        # Walk up through the group of settings to the comment that heads it.
        while above >= 0 and lines[above].strip() and not lines[above].strip().startswith("#"):
            above -= 1
        if "#" not in lines[index] and not (above >= 0 and lines[above].strip().startswith("#")):
            missing.append(target.id)
    assert not missing, f"settings without a comment in DefaultConfig: {missing}"
