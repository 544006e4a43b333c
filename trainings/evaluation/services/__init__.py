"""The evaluation area's services, one module per topic; the public names are here."""
from .demographics import (  # noqa: F401
    demographics_by_enrolment,
    demographics_dict,
    demographics_of,
    gender_labels,
    has_demographic_fields,
    set_demographics,
    wg_labels,
    wg_questions,
)
from .followups import run_follow_ups, send_due_follow_ups  # noqa: F401
from .plans import (  # noqa: F401
    add_commitments,
    commitment_dict,
    follow_up_counts,
    follow_up_days,
    get_commitment,
    parse_days_text,
    plan_dict,
    plan_of,
    plans_of_training,
    plans_of_user,
    set_follow_up_days,
    status_labels,
    totals,
    update_commitment,
)
from .report import (  # noqa: F401
    SMALL,
    THRESHOLD,
    build_programme_report,
    build_report,
    headline,
    measure_labels,
    protect,
)
from .report_files import chart, report_file, report_pdf, report_table  # noqa: F401
from .results import (  # noqa: F401
    evaluation,
    required_surveys_pending,
    responses_table,
    results,
    scores,
)
from .surveys import (  # noqa: F401
    add_question,
    create_survey,
    delete_survey,
    get_survey,
    has_answered,
    invited,
    is_open,
    load_survey,
    not_answered,
    own_enrolment,
    own_enrolment_in,
    remove_question,
    response_count,
    send_reminder,
    submit_response,
    surveys_of,
    update_survey,
)
