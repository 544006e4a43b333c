"""Printed material for gatherings (docs/gatherings.md): name badges with the check-in QR
code and sign-in sheets (daftar hadir), rendered through :mod:`trainings.pdf` from plain
dict contexts. Sits above attendance, beside certificates."""
