"""Generated captions and on-figure notes, where what a figure shows depends on the results."""

from __future__ import annotations

from swis.estimation.rates import unestimable_post_terms
from swis.report import format as fmt


def did_note(result) -> str:
    """What the difference-in-differences figure cannot draw, said on the figure ('' when it draws everything).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> res = NS(spec=NS(post_terms=("Autumn 2019",)),
    ...          design=NS(not_estimable={"Intervention by time": "separation"}))
    >>> did_note(res)
    'No counterfactual for Autumn 2019: the interaction is not estimable (separation)'
    """
    terms = unestimable_post_terms(result)
    if not terms:
        return ""
    return f"No counterfactual for {fmt.join_words(terms)}: the interaction is not estimable (separation)"


def did_caption(result, authority: str, label: str) -> str:
    """The caption of the difference-in-differences figure, describing only the lines it draws.

    ``label`` is the outcome as it reads inside a sentence (the config's ``in_text``).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> res = NS(spec=NS(post_terms=("T4",)), design=NS(not_estimable={}))
    >>> did_caption(res, "Southampton", "Section 47 starts").split("; ")[1]
    "the dotted line is the counterfactual for the intervention schools, had they followed the control schools' change."
    >>> res.design.not_estimable = {"Intervention by time": "separation"}
    >>> did_caption(res, "Lambeth", "Section 47 starts").split(". ")[-1]
    'The interaction is not estimable in T4, so no counterfactual is drawn for that term.'
    """
    head = f"{authority}: difference-in-differences estimate for {label}."
    terms = unestimable_post_terms(result)
    if not terms:
        return (
            f"{head} Fitted rates before and during the pilot; the dotted line is the counterfactual for the "
            "intervention schools, had they followed the control schools' change."
        )
    those = "that term" if len(terms) == 1 else "those terms"
    drawn = [t for t in result.spec.post_terms if t not in terms]
    rest = f" The dotted line is the counterfactual in {fmt.join_words(drawn)}." if drawn else ""
    return (
        f"{head} Fitted rates before and during the pilot, rows set aside for separation drawn at the limit of "
        f"their fit (their observed count, zero). The interaction is not estimable in {fmt.join_words(terms)}, so no "
        f"counterfactual is drawn for {those}.{rest}"
    )
