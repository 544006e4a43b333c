"""Programmes: sets of trainings with their own managers (above scheduling, below enrolment)."""
