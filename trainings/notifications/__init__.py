"""Notifications: session reminders and announcements (mail through the outbox).

An area above enrolment (it reads sessions, enrolments and facilitators); the worker runs
its reminders every minute (``trainings.periodic``)."""
from datetime import timedelta

from .. import periodic

periodic.register("notifications.reminders", "trainings.notifications.reminders:send_due",
                  every=timedelta(minutes=1))
