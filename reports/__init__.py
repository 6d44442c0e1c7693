"""The task force's reports (周例会, 月调度, 季总结) and its ledger (台账), read from the history.

Each report has exactly one definition here; the command, the web page, the workbook and the
scheduled mail all show what these functions return (JSON shapes of CLI.md, ids not labels).
"""
