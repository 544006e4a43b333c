"""The issue-all background job: issue in committed batches, then pre-render the PDFs."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from ... import jobs
from ...auth.models import User
from ...errors import NotFound
from ...extensions import db
from ...scheduling.models import Training
from .. import render
from ..models import Certificate
from .claims import training_claims
from .documents import contexts_for
from .issuing import eligible_missing, issue_all
from .queries import certificates_by_id, valid_certificate_ids, valid_certificates

BATCH = 50
RENDER_SLICE = 100  # certificates whose rows and contexts the job holds at once (10 chunks)


def start_issue_all(training, *, actor, base: str) -> jobs.Job:
    """A background job issuing (and rendering) every missing certificate; reuses a running one."""
    running = jobs.active("certificates.issue_all", training)
    if running is not None:
        return running  # a stalled one is taken over when it is dispatched again
    training_claims(training)  # refuse at once when there is nothing to certify
    total = len(eligible_missing(training))
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
    rendered = render_missing(training, job.params["base_url"], progress)
    return {"rendered": rendered, "result_ref": f"training:{training.id}"}


def render_missing(training, base: str, progress) -> int:
    """Put every valid certificate's PDF in the cache (those there already are skipped), a
    slice of ``RENDER_SLICE`` at a time: the job holds one slice's rows and contexts, so
    its memory stays flat however many certificates there are. The number of them."""
    ids = valid_certificate_ids(training)
    progress(0, len(ids))
    for start in range(0, len(ids), RENDER_SLICE):
        part = certificates_by_id(ids[start:start + RENDER_SLICE])
        # keep=False: the rendering processes store each PDF in the cache; nothing piles up.
        render.render_many(contexts_for(part, base), keep=False,
                           on_progress=lambda n, start=start: progress(start + n))
        del part
    return len(ids)


def issue_all_job(job, progress) -> dict:
    """The job: issue in batches (committed), then render every PDF still missing from the
    cache. Safe to resume after its worker died: issuing skips the enrolments that already
    have a certificate, rendering skips the PDFs already cached, so nothing is done twice."""
    training = db.session.get(Training, job.params["training_id"])
    if training is None:
        raise NotFound()
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    base = job.params["base_url"]
    # Who is missing, computed once (plain rows), and the training's claims, read once;
    # each batch loads only its own enrolments and skips those issued meanwhile.
    pending, shared = eligible_missing(training), training_claims(training)
    for start in range(0, len(pending), BATCH):
        issue_all(training, actor=actor, base=base, pending=pending[start:start + BATCH],
                  shared=shared)
        db.session.commit()
    # Issued by this job, whichever of its workers did it (also before a take-over):
    issued = db.session.scalar(select(func.count()).select_from(Certificate).where(
        Certificate.training_id == training.id, Certificate.replaced_at.is_(None),
        Certificate.revoked_at.is_(None), Certificate.issued_at >= job.created_at))
    if not current_app.config["CERTIFICATES_PRERENDER"]:
        progress(0, issued)
        return {"issued": issued, "result_ref": f"training:{training.id}"}
    render_missing(training, base, progress)
    return {"issued": issued, "result_ref": f"training:{training.id}"}
