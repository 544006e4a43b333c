"""The OpenAPI document (GET /api/v1/openapi.json) and the page that shows it (/api/docs)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from openapi_spec_validator import validate

CONTRACT = Path("/work/shared/api-v1.md")
if not CONTRACT.exists():  # outside the team's machine: the copy kept in docs/
    CONTRACT = Path(__file__).resolve().parents[1] / "docs" / "api-v1.md"

ROUTE = re.compile(r"`((?:GET|POST|PUT|PATCH|DELETE)(?:/(?:GET|POST|PUT|PATCH|DELETE))*) "
                   r"(/api/v1/[^`\s?]*)")


def contract_routes() -> set[tuple[str, str]]:
    """Every ``METHOD /api/v1/...`` written in the contract (``GET/PUT`` counts twice), with
    path parameters reduced to ``{}`` so ``{id}`` matches ``{training_id}``."""
    routes = set()
    for methods, path in ROUTE.findall(CONTRACT.read_text(encoding="utf-8")):
        for method in methods.split("/"):
            routes.add((method, _shape(path)))
    return routes


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path.rstrip("/"))


def served_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<[^>]*>", "{}", rule.rule)
            routes |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def documented_routes(document) -> set[tuple[str, str]]:
    return {(method.upper(), _shape(path)) for path, item in document["paths"].items()
            for method in item}


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")  # public: no token
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def test_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document)  # openapi-spec-validator: raises on an invalid document
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearer"]["description"]}
    assert document["security"] == [{"bearer": []}]


def test_every_contract_route_the_app_serves_is_documented(app, document):
    """The contract's routes are parsed from the contract file itself, so routes added to it
    later are checked too. A contract route the app serves must be in the document (this
    fails). Contract routes not served yet (the "Additions" that other work is building)
    cannot be documented: they are listed, not failed, and become checked as soon as the app
    serves them. Separately, every route served under /api/v1 must be documented."""
    contract = contract_routes()
    assert ("GET", "/api/v1/trainings/{}") in contract  # the parser reads the contract
    served, documented = served_routes(app), documented_routes(document)
    missing = sorted((contract & served) - documented)
    assert not missing, f"served contract routes missing from the document: {missing}"
    assert not sorted(served - documented), "every served /api/v1 route is documented"
    not_served = sorted(contract - served)
    print("contract routes not served yet:", *(f"{m} {p}" for m, p in not_served), sep="\n  ")


def test_core_routes_carry_their_schemas(document):
    paths = document["paths"]
    create = paths["/api/v1/trainings"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][body.rsplit("/", 1)[-1]]
    assert "title" in schema["required"]
    assert {"title", "capacity", "country_quotas", "certificate_rule"} <= set(schema["properties"])
    answer = create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    assert answer.endswith("/TrainingOut")
    assert create["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/Error")
    sessions = paths["/api/v1/trainings/{training_id}/sessions"]["get"]
    assert {p["name"] for p in sessions["parameters"]} == {"training_id", "tz"}
    # Public routes need no token; the others do (the document-wide bearer requirement).
    assert paths["/api/v1/verify/{code}"]["get"]["security"] == []
    assert paths["/api/v1/openapi.json"]["get"]["security"] == []
    assert "security" not in create and "401" in create["responses"]
    pdf = paths["/api/v1/certificates/{code}/pdf"]["get"]["responses"]["200"]
    assert "application/pdf" in pdf["content"]


def test_the_document_follows_the_caller_language(client):
    english = client.get("/api/v1/openapi.json", headers={"Accept-Language": "en"}).get_json()
    indonesian = client.get("/api/v1/openapi.json", headers={"Accept-Language": "id"}).get_json()
    summary = english["paths"]["/api/v1/trainings"]["post"]["summary"]
    assert summary.startswith("Create a training")
    assert indonesian["paths"]["/api/v1/trainings"]["post"]["summary"] != summary


def test_docs_page_lists_every_route_for_people(client, document):
    page = client.get("/api/docs", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>API reference</h1>" in html
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert f'<h2 id="{operation["operationId"]}"><code class="token">{method.upper()} {path}</code>' in html
    assert "POST /api/v1/trainings/{training_id}/enrolments" in html
    assert "country" in html and "must be given" in html
    assert "<script" not in html.replace('<script src="/static/', "")  # nothing inline
    indonesian = client.get("/api/docs", headers={"Accept-Language": "id"})
    assert "<h1>Referensi API</h1>" in indonesian.get_data(as_text=True)
