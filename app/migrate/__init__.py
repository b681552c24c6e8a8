"""Legacy Excel/CSV/ATS import: readers, column mapping, cleaning, de-duplication, review."""
