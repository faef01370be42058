"""Invitation waves for a mailed random sample: one-time codes, letters, response rates."""
