from klinke.core.jobs import Job

JOBS = (
    # Matching and sending are one job so that new questions are matched before the digests go.
    Job("question digests", 600, "klinke.knowledge.actions.do_send_question_digests"),
)
