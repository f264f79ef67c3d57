"""The municipality's money: funding periods, nominal values, budget figures, reports."""
