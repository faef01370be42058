"""QR codes and printable posters for distribution links (staff only)."""
