from klinke.core.jobs import Job

JOBS = (
    Job(
        "decide workbench decisions past their deadline",
        60,
        "klinke.workbench.actions.do_decide_due_decisions",
    ),
    Job("remind members of open decisions", 600, "klinke.workbench.actions.do_remind_decisions"),
    Job(
        "send the workbench's daily reminder digests",
        900,
        "klinke.workbench.actions.do_send_digests",
    ),
)
