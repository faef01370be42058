"""Paper questionnaires: the printable form of a survey and double entry of returned ones."""
