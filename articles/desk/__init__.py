"""The editors' desk: versions, who is editing, pending changes and preview links.

The admin (articles/admin.py) and the preview view (articles/views.py) use these; they know
the models and the cache, never the admin's classes.
"""
