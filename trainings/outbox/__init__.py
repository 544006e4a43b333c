"""The outbox: every mail is written here first; the worker delivers it over SMTP."""
from datetime import timedelta

from .. import periodic

periodic.register("outbox.deliver", "trainings.outbox.delivery:deliver_due",
                  every=timedelta(seconds=5))
