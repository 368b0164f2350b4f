"""Excel imports (Excel取込, issue 5 item 8): the municipality master, menu items, past years'
engagements and needs-survey answers from .xlsx workbooks, opened safely (`readers`), validated row
by row with the rules of the web forms and the tenant loader, previewed as a dry run and applied
all-or-nothing."""
