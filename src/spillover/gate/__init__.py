"""Release gate: does the candidate show evidence of being no more misaligned than a reference
(``safety``, the default), or evidence of being more misaligned (``harm``)?

`spillover.gate.decide.decide` runs it; `spillover.gate.choices` names its tests and margins.
"""
