import re
from pathlib import Path

from navigator.domain.messages import MESSAGES, translate

DOMAIN = Path(__file__).resolve().parents[2] / "navigator" / "domain"


def test_every_message_speaks_russian_lithuanian_and_english_with_the_same_placeholders():
    for code, texts in MESSAGES.items():
        assert set(texts) == {"ru", "lt", "en"}, code
        placeholders = {frozenset(re.findall(r"{(\w+)}", text)) for text in texts.values()}
        assert len(placeholders) == 1, code


def test_every_error_code_raised_in_the_domain_has_a_message():
    raised = set()
    for path in DOMAIN.glob("*.py"):
        raised |= set(
            re.findall(
                r'(?:InvalidInput|Conflict|NotFound|Forbidden)\(\s*"(\w+)"', path.read_text()
            )
        )
    assert raised, "the pattern found no error codes"
    assert raised - set(MESSAGES) == set()


def test_unknown_locale_falls_back_to_english_and_missing_values_do_not_crash():
    assert translate("group_full", "fr") == MESSAGES["group_full"]["en"]
    assert translate("age_does_not_fit", "ru") == MESSAGES["age_does_not_fit"]["ru"]
    assert "Название" in translate("field_required", "ru", field="title")
