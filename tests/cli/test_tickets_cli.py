"""`supportdesk tickets show`: the number it takes is bounded like the API's."""

from __future__ import annotations

import pytest

from supportdesk.core.columns import TICKET_NUMBER_MAX
from tests.cli.conftest import Run


@pytest.mark.parametrize("number", [str(TICKET_NUMBER_MAX + 1), str(2**63), str(2**64), "0"])
async def test_a_number_no_ticket_can_have_is_refused_before_any_query(
    run: Run, number: str
) -> None:
    result = run("tickets", "show", number)
    assert result.exit_code == 2, result.output
    assert "Invalid value" in result.output
    assert "Traceback" not in result.output


async def test_a_number_in_range_that_names_no_ticket_is_an_error_not_a_crash(run: Run) -> None:
    result = run("tickets", "show", str(TICKET_NUMBER_MAX))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
