"""The issue-all background job: issue in committed batches, then pre-render the PDFs."""
from __future__ import annotations

from flask import current_app

from ... import jobs
from ...auth.models import User
from ...errors import NotFound
from ...extensions import db
from ...scheduling.models import Training
from .. import render
from ..models import Certificate
from .claims import training_claims
from .documents import contexts_for
from .issuing import issue_all, missing_eligible

BATCH = 50


def start_issue_all(training, *, actor, base: str) -> jobs.Job:
    """A background job issuing (and rendering) every missing certificate; reuses a running one."""
    running = jobs.active("certificates.issue_all", training)
    if running is not None:
        return running
    training_claims(training)  # refuse at once when there is nothing to certify
    total = len(missing_eligible(training))
    return jobs.create("certificates.issue_all", {"training_id": training.id, "base_url": base},
                       training=training, actor=actor, total=total)


def issue_all_job(job, progress) -> dict:
    """The job: issue in batches (committed), then render every new PDF into the cache."""
    training = db.session.get(Training, job.params["training_id"])
    if training is None:
        raise NotFound()
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    base = job.params["base_url"]
    issued: list[int] = []
    while True:
        batch = issue_all(training, actor=actor, base=base, limit=BATCH)
        db.session.commit()
        issued += [c.id for c in batch]
        if len(batch) < BATCH:
            break
    total = len(issued)
    progress(0, total)
    if issued and current_app.config["CERTIFICATES_PRERENDER"]:
        certificates = [db.session.get(Certificate, i) for i in issued]
        # keep=False: the workers store each PDF in the cache; nothing piles up here.
        render.render_many(contexts_for(certificates, base), on_progress=lambda n: progress(n),
                           keep=False)
    return {"issued": total, "result_ref": f"training:{training.id}"}
