"""schemathesis hooks for the command-line run (tests/test_schemathesis_cli.py).

`positive_data_acceptance` stays on; one of its failures is dropped only when the case is one a
rule of the contract refuses and the answer is exactly that refusal (`tests.fuzz_refusals`).
Every other failure, of every check, stands. Each dropped failure is written with its rule to
`SUPPORTDESK_FUZZ_DROPPED` (JSON lines), so that the run says how many each rule took.
`SUPPORTDESK_FUZZ_KNOWN` (JSON, set by the test) is what the key may use.

Loaded by schemathesis from its path (`SCHEMATHESIS_HOOKS`), never imported by the suite: a
hook registers for every schemathesis run in the process, the pytest integration's too.
"""

from __future__ import annotations

import json
import os
from typing import Any

import schemathesis

from tests.fuzz_refusals import matching_rule

KNOWN: dict[str, Any] = json.loads(os.environ.get("SUPPORTDESK_FUZZ_KNOWN", "{}"))
DROPPED = os.environ.get("SUPPORTDESK_FUZZ_DROPPED")


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure but a schema-valid case answered with the refusal a rule names."""
    if type(failure).__name__ != "RejectedPositiveData":
        return True
    label = case.operation.label
    rule = matching_rule(KNOWN, label, case, response.status_code, response.content)
    if rule is None:
        return True
    if DROPPED:
        with open(DROPPED, "a", encoding="utf-8") as log:
            log.write(json.dumps({"operation": label, "rule": rule}) + "\n")
    return False
