"""Read models that span areas: "my schedule", statistics, reports, dashboards, people.

This package sits above every area (it may import any of them; none imports it).
"""
from datetime import timedelta

from .. import periodic

# Dashboards whose figures are out of date (or were never computed) are computed again by the
# worker, so that the next view is a plain read; a view before that computes them itself.
periodic.register("overview.dashboards", "trainings.overview.dashboard:refresh_dashboards",
                  every=timedelta(seconds=10))
