"""Shared-tablet mode: course sessions, enrolled kiosk devices, the respondent loop and the
exactly-once offline queue (see ``views`` for the design notes)."""
