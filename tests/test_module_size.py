"""The shape rules of docs/architecture.md: no module over 500 lines, and views stay short
(load → require → one helper call): at most 10 body lines in every route of every area,
the API's included (``@bp.route`` and the method shortcuts ``@bp.get/.post/...``)."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "trainings"
MAX_MODULE_LINES = 500
MAX_VIEW_LINES = 25  # of a route function's body, its docstring not counted
SPLIT_VIEWS = ("certificates/views", "enrolment/views")
SHORT_VIEW_LINES = 10  # of every route function
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}  # Flask's, on a blueprint


def long_modules(root: Path, limit: int) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found.append(f"{path.relative_to(root.parent)}: {lines} lines")
    return found


def _is_route(decorator: ast.expr) -> bool:
    return (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr in ROUTE_DECORATORS)


def routes(source: str) -> list[ast.FunctionDef]:
    """The route functions of a module's source."""
    return [node for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.FunctionDef) and any(map(_is_route, node.decorator_list))]


def long_views(source: str, limit: int) -> list[str]:
    found = []
    for node in routes(source):
        body = node.body
        if (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and len(body) > 1):
            body = body[1:]
        length = node.end_lineno - body[0].lineno + 1
        if length > limit:
            found.append(f"{node.name}: {length} lines")
    return found


def test_no_module_under_trainings_is_over_500_lines():
    assert long_modules(PACKAGE, MAX_MODULE_LINES) == []


def test_the_size_check_sees_a_long_module(tmp_path):
    (tmp_path / "area").mkdir()
    (tmp_path / "area" / "big.py").write_text("x = 1\n" * 501)
    (tmp_path / "area" / "small.py").write_text("x = 1\n" * 500)
    assert long_modules(tmp_path, MAX_MODULE_LINES) == [f"{tmp_path.name}/area/big.py: 501 lines"]


def test_split_view_packages_have_short_views():
    for folder in SPLIT_VIEWS:
        modules = sorted((PACKAGE / folder).glob("*.py"))
        assert len(modules) >= 4, folder  # split by topic, not one module again
        for path in modules:
            assert long_views(path.read_text(encoding="utf-8"), MAX_VIEW_LINES) == [], path


def view_modules(root: Path) -> list[Path]:
    """Every module under ``root`` that declares a route."""
    return [path for path in sorted(root.rglob("*.py"))
            if routes(path.read_text(encoding="utf-8"))]


def test_every_view_has_at_most_10_lines():
    modules = view_modules(PACKAGE)
    assert len(modules) >= 30  # the scan sees the areas' view modules and the API's, not none
    areas = {path.relative_to(PACKAGE).parts[0] for path in modules}
    assert {"api", "enrolment", "scheduling", "certificates"} <= areas
    found = [f"{path.relative_to(PACKAGE)}: {view}" for path in modules
             for view in long_views(path.read_text(encoding="utf-8"), SHORT_VIEW_LINES)]
    assert found == []


def test_the_short_view_scan_sees_every_area_and_the_api(tmp_path):
    page = '@bp.route("/a")\ndef page():\n    return "a"\n'
    answer = '@bp.patch("/a/<int:id>")\n@doc("A")\ndef change(id):\n    return {}\n'
    for folder in ("enrolment/views", "api", "auth"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "enrolment" / "views" / "mine.py").write_text(page)
    (tmp_path / "api" / "things.py").write_text(answer)
    (tmp_path / "auth" / "models.py").write_text('x = {}.get("a")\n')
    assert view_modules(tmp_path) == [tmp_path / "api" / "things.py",
                                      tmp_path / "enrolment" / "views" / "mine.py"]


def test_the_view_check_counts_every_route_decorator():
    body = "\n".join(f"    x{i} = {i}" for i in range(11))
    source = "".join(f'@bp.{verb}("/{verb}")\ndef {verb}_view():\n{body}\n\n\n'
                     for verb in sorted(ROUTE_DECORATORS))
    source += f'@limiter.limit("1 per minute")\ndef limited():\n{body}\n'
    assert long_views(source, SHORT_VIEW_LINES) == [
        f"{verb}_view: 11 lines" for verb in sorted(ROUTE_DECORATORS)]


def test_the_view_check_counts_a_route_body_without_its_docstring():
    body = "\n".join(f"    x{i} = {i}" for i in range(26))
    source = f'@bp.route("/a")\ndef long():\n    """Doc."""\n{body}\n\n\ndef helper():\n{body}\n'
    assert long_views(source, MAX_VIEW_LINES) == ["long: 26 lines"]
    assert long_views(source, 26) == []
