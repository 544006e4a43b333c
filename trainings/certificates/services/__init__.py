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
    PREVIEW_CODE,
    certificate_pdf,
    contexts_for,
    merged_pdf,
    pdf_filename,
    preview_pdf,
    training_pdfs,
    training_zip,
    zip_bytes,
)
from .issuing import eligible_missing, issue_all, issue_one, missing_eligible
from .job import BATCH, issue_all_job, missing_pdfs, render_job, start_issue_all, start_render
from .mail import mail_certificate
from .names import (
    confirm_name,
    confirmed_ids,
    confirmed_name,
    name_state,
    name_to_print,
    own_enrolment,
    remind_unconfirmed,
    unconfirmed,
)
from .queries import (
    certificates_of,
    codes_shape_ok,
    current_certificate,
    current_certificates_of_user,
    get_by_code,
    history,
    overview,
    signatories_of,
    valid_certificates,
)
from .revocation import reissue, revoke, revoke_many
from .settings import (
    STATEMENT_LIMIT,
    add_signatory,
    remove_signatory,
    set_signature,
    signatories_without_signature,
    update_statement,
)
from .status import get_list as get_status_list
from .status import list_credential as status_list_credential
from .urls import credential_url, name_url, pdf_url, status_list_url, verify_url
from .verification import credential, linkedin_url, verification

__all__ = [
    "codes_shape_ok",
    "BATCH", "PREVIEW_CODE", "confirm_name", "confirmed_name", "confirmed_ids", "name_state", "name_to_print",
    "linkedin_url", "name_url", "own_enrolment", "preview_pdf", "remind_unconfirmed", "set_signature", "signatories_without_signature",
    "unconfirmed", "MAX_IMAGE_BYTES", "MAX_IMAGE_PIXELS", "STATEMENT_LIMIT", "add_signatory",
    "certificate_pdf", "credential_url", "get_status_list", "certificates_of", "contexts_for", "credential",
    "current_certificate", "current_certificates_of_user", "eligible_missing", "get_by_code", "history",
    "issue_all", "issue_all_job", "issue_one", "mail_certificate", "merged_pdf",
    "missing_eligible", "missing_pdfs", "new_certificate", "overview", "pdf_filename",
    "pdf_url", "reissue", "remove_signatory", "render_job", "revoke", "revoke_many", "set_logo",
    "signatories_of", "start_issue_all", "start_render", "status_list_credential",
    "status_list_url", "store_image", "training_claims", "training_pdfs", "training_zip",
    "update_statement", "valid_certificates",
    "verification", "verify_url", "zip_bytes",
]
