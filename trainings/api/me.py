"""The caller's own things: ``GET /api/v1/me/schedule``."""
from flask import request

from ..overview.schedule import schedule_for
from ..timezones import validate_timezone
from .base import actor, bp
from .serializers import session_dict


@bp.get("/me/schedule")
def my_schedule():
    """Sessions of the caller's accepted enrolments, in their zone, with link and own attendance."""
    user = actor()
    zone = request.args.get("tz")
    zone = validate_timezone(zone, field="tz") if zone else user.timezone
    items = []
    for item in schedule_for(user, statuses=("accepted",), include_staff=False):
        data = session_dict(item.session, item.number, zone, show_link=item.may_join)
        data["training_title"] = {"id": item.training.title_id or "", "en": item.training.title_en or ""}
        data["enrolment"] = item.enrolment.id if item.enrolment else None
        data["attendance"] = item.attendance
        items.append(data)
    return {"items": items, "timezone": zone}
