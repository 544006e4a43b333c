"""The caller's own things: ``GET /api/v1/me/schedule``."""
from flask import request
from flask_babel import lazy_gettext as _l

from ..overview.schedule import schedule_for
from ..timezones import validate_timezone
from .base import actor, bp, doc
from .schemas import Bilingual, Schedule, ScheduleItem, SessionOut


@bp.get("/me/schedule")
@doc(_l("Your sessions (accepted enrolments), in your time zone, with the link and your attendance"),
     answer=Schedule, query={"tz": ("string", _l("IANA time zone (default: your own)"))})
def my_schedule():
    """Sessions of the caller's accepted enrolments, in their zone, with link and own attendance."""
    user = actor()
    zone = request.args.get("tz")
    zone = validate_timezone(zone, field="tz") if zone else user.timezone
    items = [ScheduleItem(
        **SessionOut.fields_of(item.session, item.number, zone, show_link=item.may_join),
        training_title=Bilingual.of(item.training, "title"),
        enrolment=item.enrolment.id if item.enrolment else None,
        attendance=item.attendance).dump()
        for item in schedule_for(user, statuses=("accepted",), include_staff=False)]
    return {"items": items, "timezone": zone}
