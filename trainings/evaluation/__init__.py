"""Evaluation and follow-up: surveys, knowledge tests, action plans, demographics, reports.

The area sits between attendance and certificates: it reads enrolments, sessions and
attendance; certificates ask it whether a required survey is still pending.
"""
