"""Size limits shared by the page, the API and the importer, so they refuse the same things."""

MAX_SHORT_TEXT = 200  # title, service, audience, owner, an author's name
MAX_LONG_TEXT = 20_000  # a Markdown part of the report (about eight pages of prose)
MAX_URL = 2_000
MAX_AUTHORS = 30
MAX_ROWS = 500  # timeline events, factors or action items in one report
MAX_REQUEST_BYTES = 4 * 1024 * 1024
