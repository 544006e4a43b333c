from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..errors import NotFound
from ..i18n import viewer_timezone
from ..policy import can, require
from . import services

bp = Blueprint("scheduling", __name__)


def load_training(training_id: int):
    training = services.get_training(training_id)
    if training is None:
        raise NotFound()
    return training


@bp.route("/trainings")
@login_required
def index():
    trainings = services.visible_trainings(current_user)
    return render_template("scheduling/index.html", trainings=trainings,
                           may_create=can(current_user, "training.create"))


@bp.route("/trainings/<int:training_id>")
@login_required
def detail(training_id: int):
    training = load_training(training_id)
    require(current_user, "training.view", training)
    return render_template(
        "scheduling/detail.html", training=training,
        sessions=services.numbered_sessions(training),
        zone=viewer_timezone(training.timezone),
        organisers=services.staff_of(training, "organiser"),
        facilitators=services.staff_of(training, "facilitator"),
        may_edit=can(current_user, "training.edit", training))
