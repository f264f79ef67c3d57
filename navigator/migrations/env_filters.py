"""What the schema comparison leaves out: objects the migrations own beyond the models."""


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """The full-text index of migration 0003 lives outside the models on purpose."""
    return not (name or "").startswith(("program_fts", "ix_program_fulltext"))
