"""The case holder's notice on allocation day (framework 9.3: the auditor works alongside the case holder) says
what the audit looks at: the seven key areas on the bot's own form, the council's questions on a form of its own."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

from dialogs import case_holder_cards as ch
from qa.framework import KEY_AREAS

NOTICE = ch.CaseHolderNotice(allocation_id=1, case_ref="CR-1001", month_label="December 2026",
                             case_holder_name="Pat Example", auditor_name="Ann Example", deadline=date(2026, 12, 24))
LONDON = ZoneInfo("Europe/London")


def test_the_default_form_names_the_seven_key_areas():
    shown = json.dumps(ch.case_holder_notice_card(NOTICE, LONDON))
    assert "the seven key areas" in shown and all(area in shown for area in KEY_AREAS)


def test_a_councils_own_form_promises_no_key_areas_it_may_not_ask_about():
    shown = json.dumps(ch.case_holder_notice_card(replace(NOTICE, on_default_form=False), LONDON))
    assert "seven key areas" not in shown and "the council's audit form" in shown
    assert "CR-1001" in shown and "Ann Example" in shown
