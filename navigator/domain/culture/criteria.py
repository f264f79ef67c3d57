"""The published criteria a culture service is approved against. The operator reviews with
them in view, and a provider reads the same list beside the submit form: one list, its words
translated under these keys (ui catalog). The price and grade rules among them are also
checked by `services.clean_service`; the rest is the operator's judgement."""

SERVICE_CRITERIA = (
    "culture_criterion_purpose",  # a culture or arts experience: the pass's aim
    "culture_criterion_grades",  # content and length fit the grades named
    "culture_criterion_price",  # per pupil, 0.10 EUR steps, within the year's amount
    "culture_criterion_clear",  # what, where, in which language, adults free
    "culture_criterion_provider",  # given by the admitted provider itself, safely
)
