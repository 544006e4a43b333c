"""Certificates: issue, render, verify, revoke, correct, export. The domain logic, by topic.

Services take models or plain values and an ``actor=``; they raise DomainErrors, ``flush()``,
and leave the commit to the caller (the issue-all job commits per batch: it runs on its own).
The public names are re-exported here: ``from trainings.certificates import services``.

- :mod:`.queries` reading; :mod:`.claims` what a certificate prints; :mod:`.issuing`
  eligibility and issuing; :mod:`.job` the issue-all job; :mod:`.revocation` revoke and
  re-issue; :mod:`.verification` the public check and the Open Badge; :mod:`.documents`
  PDFs and ZIP; :mod:`.assets` logos and signature images (the SVG check);
  :mod:`.settings` statement and signatories; :mod:`.mail`; :mod:`.urls`.
"""
from .assets import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, set_logo, store_image
from .claims import new_certificate, training_claims
from .documents import (
    certificate_pdf,
    contexts_for,
    merged_pdf,
    pdf_filename,
    training_pdfs,
    training_zip,
    zip_bytes,
)
from .issuing import issue_all, issue_one, missing_eligible
from .job import BATCH, issue_all_job, start_issue_all
from .mail import mail_certificate
from .queries import (
    certificates_of,
    current_certificate,
    current_certificates_of_user,
    get_by_code,
    history,
    overview,
    signatories_of,
    valid_certificates,
)
from .revocation import reissue, revoke
from .settings import STATEMENT_LIMIT, add_signatory, remove_signatory, update_statement
from .urls import pdf_url, verify_url
from .verification import credential, verification

__all__ = [
    "BATCH", "MAX_IMAGE_BYTES", "MAX_IMAGE_PIXELS", "STATEMENT_LIMIT", "add_signatory",
    "certificate_pdf", "certificates_of", "contexts_for", "credential",
    "current_certificate", "current_certificates_of_user", "get_by_code", "history",
    "issue_all", "issue_all_job", "issue_one", "mail_certificate", "merged_pdf",
    "missing_eligible", "new_certificate", "overview", "pdf_filename", "pdf_url", "reissue",
    "remove_signatory", "revoke", "set_logo", "signatories_of", "start_issue_all",
    "store_image", "training_claims", "training_pdfs", "training_zip", "update_statement",
    "valid_certificates",
    "verification", "verify_url", "zip_bytes",
]
