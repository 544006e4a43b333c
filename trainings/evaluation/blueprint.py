"""The evaluation area's blueprint (organiser pages in views.py, participants' in participant.py)."""
from flask import Blueprint

bp = Blueprint("evaluation", __name__)
