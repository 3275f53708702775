"""Targeting by need (issue 19): people, tasking and review, Op Advance days, POP and spend.

* :mod:`planner.tasking.imports`: ``planner import nominals|victims|tasking|pop|spend``;
* :mod:`planner.tasking.people`: offenders ranked per LPA by harm, repeat and vulnerable
  victims, reassurance visits planned and tracked, wanted suspects on an Op Advance day;
* :mod:`planner.tasking.meetings`: tasking items and the review of targeted activity;
* :mod:`planner.tasking.advance`: the Op Advance rotation calendar and days of action;
* :mod:`planner.tasking.pop`: SYV POP plans and the grant spend report.

Nominals are read only through :mod:`planner.tasking.people`, which checks the principal's
capability on the server and writes every view to the audit trail.
"""
