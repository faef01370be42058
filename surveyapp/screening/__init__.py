"""Screening of public submissions: flag suspicious responses (never drop them), from the database."""
