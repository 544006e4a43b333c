"""Organisations and regional hubs: the lowest area above auth and outbox.

Trainings (scheduling) and programmes point at organisations; hubs group them by region.
"""
