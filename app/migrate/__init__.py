"""Legacy Excel/CSV/ATS import: readers, column mapping, cleaning, de-duplication, review.

Kept import-free: `app.storage.tables` imports `app.migrate.tables` to register its tables.
"""
