"""The programme's donor report over HTTP: page, XLSX, PDF, API, who may see it, bad input,
the dashboard's evaluation results and its link, constant queries."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from trainings.extensions import db
from trainings.programmes import services as programmes
from trainings.scheduling.models import TrainingStaff

from .test_evaluation_programme_report import _evaluate, _programme_of, network  # noqa: F401


def _paths(pid):
    return (f"/programmes/{pid}/report", f"/programmes/{pid}/report.xlsx",
            f"/programmes/{pid}/report.pdf")


def test_managers_see_the_page_with_charts_tables_and_downloads(network, login, client):  # noqa: F811
    _evaluate(network)
    pid = network["programme"].id
    login(network["organiser"])
    page = client.get(f"/programmes/{pid}/report", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Donor report" in html and "Programme" in html
    assert 'id="chart-trainings-title"' in html and '<svg role="img"' in html
    assert "<caption>By training</caption>" in html and "<caption>By country</caption>" in html
    assert "cdn" not in html.lower()
    assert f'href="/programmes/{pid}/report.xlsx"' in html
    assert f'href="/programmes/{pid}/report.pdf"' in html
    xlsx = client.get(f"/programmes/{pid}/report.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert "attachment" in xlsx.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.cell(2, 3).value == 13  # all participants, counted once
    pdf = client.get(f"/programmes/{pid}/report.pdf")
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"
    network["organiser"].language = "id"
    db.session.commit()
    indonesian = client.get(f"/programmes/{pid}/report")
    text = indonesian.get_data(as_text=True)
    assert "Laporan donor" in text and "Menurut pelatihan" in text
    assert client.get(f"/programmes/{pid}/report.doc").status_code == 404


def test_admins_may_and_everyone_else_may_not(network, make, login, client):  # noqa: F811
    pid = network["programme"].id
    # an organiser of only one of the programme's trainings sees that training's report only
    one = make.user("organiser")
    network["b"].staff.append(TrainingStaff(user=one, role="organiser"))
    db.session.commit()
    participant = make.user("participant")
    make.enrolment(network["a"], user=participant)
    for user, status in ((one, 403), (participant, 403), (make.user("facilitator"), 403)):
        login(user)
        for path in _paths(pid):
            assert client.get(path).status_code == status, (user.role, path)
        client.post("/logout")
    login(one)
    assert client.get(f"/trainings/{network['b'].id}/evaluation-report").status_code == 200
    client.post("/logout")
    login(make.user("admin"))
    for path in _paths(pid):
        assert client.get(path).status_code == 200, path
    client.post("/logout")
    anonymous = client.get(f"/programmes/{pid}/report")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert client.get("/programmes/99999/report").status_code in (302, 404)


def test_a_participant_named_manager_still_gets_403(network, make, login, client):  # noqa: F811
    participant = make.user("participant")
    network["programme"].managers.append(participant)
    db.session.commit()
    login(participant)
    assert client.get(f"/programmes/{network['programme'].id}/report").status_code == 403


def test_the_api_answers_json_xlsx_and_pdf_and_refuses_bad_input(network, make, api, client):  # noqa: F811
    _evaluate(network)
    pid = network["programme"].id
    manager = api(network["organiser"])
    body = manager.get(f"/api/v1/programmes/{pid}/report").get_json()
    assert body["programme"]["id"] == pid and body["total"]["participants"] == 13
    assert {"reach", "total", "by_country", "by_gender", "by_disability", "trainings",
            "generated_at", "threshold"} <= set(body)
    assert [t["id"] for t in body["trainings"]] == [network["a"].id, network["b"].id]
    assert manager.get(f"/api/v1/programmes/{pid}/report?format=xlsx").data[:2] == b"PK"
    assert manager.get(f"/api/v1/programmes/{pid}/report?format=pdf").data[:4] == b"%PDF"
    bad = manager.get(f"/api/v1/programmes/{pid}/report?format=doc")
    assert bad.status_code == 422 and bad.is_json
    assert bad.get_json()["error"]["details"][0]["field"] == "format"
    assert manager.get("/api/v1/programmes/99999/report").status_code == 404
    assert api(make.user("organiser")).get(f"/api/v1/programmes/{pid}/report").status_code == 403
    assert api(make.user("participant")).get(
        f"/api/v1/programmes/{pid}/report").status_code == 403
    assert client.get(f"/api/v1/programmes/{pid}/report").status_code == 401


def test_the_dashboard_shows_the_headline_and_links_the_report(network, api, login, client):  # noqa: F811
    _evaluate(network)
    pid = network["programme"].id
    evaluation = api(network["organiser"]).get(
        f"/api/v1/programmes/{pid}/dashboard").get_json()["evaluation"]
    assert evaluation["satisfaction"] == 3.8 and evaluation["commitments_done"] == "<5"
    login(network["organiser"])
    html = client.get(f"/programmes/{pid}", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    assert "3.8" in html and "+85 points" in html and "15 feedback responses" in html
    assert f'href="/programmes/{pid}/report"' in html


def test_openapi_documents_the_programme_report(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/programmes/{programme_id}/report"]["get"]
    assert any(p["name"] == "format" for p in operation.get("parameters", []))


def test_report_and_dashboard_queries_do_not_grow(make, login, client, api, count_queries):
    small, large = _programme_of(make, 2, 3), _programme_of(make, 6, 7)
    counts = {}
    for name, programme in (("small", small), ("large", large)):
        owner = programme.managers[0]
        caller = api(owner)
        for path in (f"/api/v1/programmes/{programme.id}/report",
                     f"/api/v1/programmes/{programme.id}/dashboard"):
            db.session.expire_all()
            with count_queries() as counter:
                assert caller.get(path).status_code == 200
            counts[(name, path.rsplit("/", 1)[1])] = counter.count
        login(owner)
        db.session.expire_all()
        with count_queries() as counter:
            assert client.get(f"/programmes/{programme.id}/report").status_code == 200
        counts[(name, "page")] = counter.count
        client.post("/logout")
    for what in ("report", "dashboard", "page"):
        assert counts[("small", what)] == counts[("large", what)], counts
    assert programmes.get_programme(large.id).trainings.__len__() == 6
