"""Plumbing shared by every app (DESIGN "Layout"): input bounds, form and API helpers.

Infrastructure, in English; no domain rule lives here.
"""
