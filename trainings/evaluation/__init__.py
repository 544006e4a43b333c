"""Evaluation and follow-up: surveys, knowledge tests, action plans, demographics, reports.

The area sits between attendance and certificates: it reads enrolments, sessions and
attendance; certificates ask it whether a required survey is still pending.
"""
from datetime import timedelta

from .. import periodic

# The worker runs it on its clock; it claims each mail, so two workers never send twice.
periodic.register("evaluation.follow_ups",
                  "trainings.evaluation.services.followups:run_follow_ups",
                  every=timedelta(hours=1))
