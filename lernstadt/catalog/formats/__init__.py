"""Where the catalogue meets the real world: files in, files out.

- ``school_register``: the official NRW school register (Schulgrunddaten NRW).
- ``offers_csv`` and ``jsonld``: offers as CSV and as schema.org JSON-LD, both ways.
- ``ical``: offers as iCalendar (RFC 5545).
- ``offer_records``: a checked offer, whatever file it came from, and how it is saved.
- ``values``, ``reading``, ``errors``: checking single values, decoding files, reporting.

Every importer checks the whole file first and writes in one transaction, or raises
:class:`errors.ImportFailed` listing each problem with line, column and reason.
"""
