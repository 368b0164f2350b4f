"""Excel out (issue 5 item 7): one registry of list exports declared by each domain's `exports.py`,
one download route per list, and background export jobs with progress for long lists."""
