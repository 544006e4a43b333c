"""Read models that span areas: "my schedule", statistics, reports, dashboards, people.

This package sits above every area (it may import any of them; none imports it).
"""
