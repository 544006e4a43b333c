"""The issue-all background job: issue in committed batches, then pre-render the PDFs."""
from __future__ import annotations

from flask import current_app

from ... import jobs
from ...auth.models import User
from ...errors import NotFound
from ...extensions import db
from ...scheduling.models import Training
from .. import render
from .claims import training_claims
from .documents import contexts_for
from .issuing import issue_all, missing_eligible
from .queries import valid_certificates

BATCH = 50


def start_issue_all(training, *, actor, base: str) -> jobs.Job:
    """A background job issuing (and rendering) every missing certificate; reuses a running one."""
    running = jobs.active("certificates.issue_all", training)
    if running is not None:
        return running  # a stalled one is taken over when it is dispatched again
    training_claims(training)  # refuse at once when there is nothing to certify
    total = len(missing_eligible(training))
    return jobs.create("certificates.issue_all", {"training_id": training.id, "base_url": base},
                       training=training, actor=actor, total=total)


def missing_pdfs(training, base: str) -> int:
    """How many valid certificates of the training have no rendered PDF in the cache."""
    contexts = contexts_for(valid_certificates(training), base)
    return sum(1 for ctx in contexts if not (render.cache_dir() / f"{render.cache_key(ctx)}.pdf")
               .exists())


def start_render(training, *, actor, base: str) -> jobs.Job:
    """A background job rendering the training's missing PDFs (for a ZIP or a print PDF
    of many certificates: the web process does not render them); reuses an open one."""
    running = jobs.active("certificates.render", training)
    if running is not None:
        return running
    return jobs.create("certificates.render", {"training_id": training.id, "base_url": base},
                       training=training, actor=actor)


def render_job(job, progress) -> dict:
    """Render every PDF still missing from the cache (resumes after a take-over)."""
    training = db.session.get(Training, job.params["training_id"])
    if training is None:
        raise NotFound()
    certificates = valid_certificates(training)
    progress(0, len(certificates))
    render.render_many(contexts_for(certificates, job.params["base_url"]),
                       on_progress=lambda n: progress(n), keep=False)
    return {"rendered": len(certificates), "result_ref": f"training:{training.id}"}


def issue_all_job(job, progress) -> dict:
    """The job: issue in batches (committed), then render every PDF still missing from the
    cache. Safe to resume after its worker died: issuing skips the enrolments that already
    have a certificate, rendering skips the PDFs already cached, so nothing is done twice."""
    training = db.session.get(Training, job.params["training_id"])
    if training is None:
        raise NotFound()
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    base = job.params["base_url"]
    while True:
        batch = issue_all(training, actor=actor, base=base, limit=BATCH)
        db.session.commit()
        if len(batch) < BATCH:
            break
    certificates = valid_certificates(training)  # also those issued before a take-over
    # Issued by this job, whichever of its workers did it:
    issued = sum(1 for c in certificates if c.issued_at >= job.created_at)
    if not current_app.config["CERTIFICATES_PRERENDER"]:
        progress(0, issued)
        return {"issued": issued, "result_ref": f"training:{training.id}"}
    progress(0, len(certificates))
    # keep=False: the workers store each PDF in the cache; nothing piles up here.
    render.render_many(contexts_for(certificates, base), on_progress=lambda n: progress(n),
                       keep=False)
    return {"issued": issued, "result_ref": f"training:{training.id}"}
