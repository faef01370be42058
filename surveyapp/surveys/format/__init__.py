"""The survey definition format: declared schema, loading, validation and writing.

Other modules import the public names from :mod:`surveyapp.surveys.definitions`.
"""
