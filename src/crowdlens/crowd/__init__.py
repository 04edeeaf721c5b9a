"""The crowd side as a library: assignments and leases, submissions with QC, completion codes.

The web pages, the REST API, the CLI and the tests all call these functions.
"""

from crowdlens.crowd.assign import (
    DEFAULT_LEASE,
    Claim,
    NoWorkAvailable,
    Priority,
    assignment_item_ids,
    claim_assignment,
)
from crowdlens.crowd.codes import CodeCheck, new_code, verify_code
from crowdlens.crowd.identity import WorkerIdentity, identity_from_params, is_mturk_preview
from crowdlens.crowd.progress import AssignmentView, ItemState, assignment_view
from crowdlens.crowd.submit import RateLimit, Submission, SubmitOutcome, submit_answers

__all__ = [
    "DEFAULT_LEASE",
    "AssignmentView",
    "Claim",
    "CodeCheck",
    "ItemState",
    "NoWorkAvailable",
    "Priority",
    "RateLimit",
    "Submission",
    "SubmitOutcome",
    "WorkerIdentity",
    "assignment_item_ids",
    "assignment_view",
    "claim_assignment",
    "identity_from_params",
    "is_mturk_preview",
    "new_code",
    "submit_answers",
    "verify_code",
]
